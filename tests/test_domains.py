"""The registry of domains: every package with a domain part is declared, and what is declared is loaded."""
from pathlib import Path

import pytest

from app import domains

APP_DIR = Path(__file__).resolve().parent.parent / "app"


def _packages_with_parts() -> dict[str, list[str]]:
    found = {}
    for package in sorted(p for p in APP_DIR.iterdir() if (p / "__init__.py").is_file()):
        parts = [part for part in domains.PARTS if (package / f"{part}.py").is_file()]
        if "bp = Blueprint(" in (package / "__init__.py").read_text(encoding="utf-8"):
            parts.append("blueprint")
        if parts:
            found[package.name] = parts
    return found


def test_every_package_with_a_domain_part_is_declared():
    missing = {name: parts for name, parts in _packages_with_parts().items() if name not in domains.DOMAINS}
    assert missing == {}, f"declare these in app/domains.py, or their parts are never loaded: {missing}"


def test_every_declared_domain_is_a_package():
    assert [name for name in domains.DOMAINS if not (APP_DIR / name / "__init__.py").is_file()] == []


def test_every_part_of_every_domain_is_loaded_by_the_app(app):
    import sys

    expected = [f"app.{name}.{part}" for name, parts in _packages_with_parts().items()
                for part in parts if part != "blueprint"]
    assert [module for module in expected if module not in sys.modules] == []
    blueprints = {name for name, parts in _packages_with_parts().items() if "blueprint" in parts}
    assert blueprints <= set(app.blueprints)


def test_a_name_without_its_package_fails_loudly(monkeypatch):
    monkeypatch.setattr(domains, "DOMAINS", (*domains.DOMAINS, "nosuchdomain"))
    with pytest.raises(domains.UnknownDomain, match="nosuchdomain"):
        domains.modules("models")


def test_a_forgotten_package_is_named(tmp_path, monkeypatch):
    """The check itself: a package with subscribers.py that nobody declared is reported."""
    fake = tmp_path / "app"
    (fake / "rewards").mkdir(parents=True)
    (fake / "rewards" / "__init__.py").write_text("")
    (fake / "rewards" / "subscribers.py").write_text("")
    monkeypatch.setattr("tests.test_domains.APP_DIR", fake)
    assert _packages_with_parts() == {"rewards": ["subscribers"]}
    assert "rewards" not in domains.DOMAINS
