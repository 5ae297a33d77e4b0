"""Area subtrees are queried with ``Area.in_subtree`` (app/areas/models.py), never with LIKE or ``startswith`` over
``Area.path``: LIKE is case-insensitive on SQLite and misses the path index there (the bench measures it ~25×
slower), and one helper keeps every domain's "within this area" the same."""
from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
#: where the one helper is written
ALLOWED = {APP / "areas" / "models.py"}

#: SQL over the path column: the mapped class or an alias of it (a capitalised name: ``Area.path``,
#: ``Parent.path``) or a table's ``.c.path`` with a string-matching operator, or LIKE in SQL text. A lower-case
#: ``area.path.startswith(other.path)`` is a string test on a loaded object, not a query.
PATTERNS = (
    re.compile(r"\b[A-Z]\w*\.path\s*\.\s*(?:like|ilike|startswith|istartswith|contains|endswith|regexp_match)\s*\("),
    re.compile(r"\.c\.path\s*\.\s*(?:like|ilike|startswith|istartswith|contains|endswith)\s*\("),
    re.compile(r"\bpath\s+(?:NOT\s+)?I?LIKE\b", re.IGNORECASE),
)


def offending_lines(root: Path = APP) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if path in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if any(pattern.search(code) for pattern in PATTERNS):
                found.append(f"{path.relative_to(root.parent)}:{number}: {line.strip()}")
    return found


def test_no_like_over_area_path_outside_the_helper():
    found = offending_lines()
    assert not found, "use Area.in_subtree(path) instead of LIKE / startswith over Area.path:\n" + "\n".join(found)


def test_the_scan_finds_each_form(tmp_path):
    pkg = tmp_path / "app" / "somewhere"
    pkg.mkdir(parents=True)
    (pkg / "queries.py").write_text(
        "ok = area.path.startswith(root.path)\n"
        "a = select(Area.id).where(Area.path.like(root.path + '%'))\n"
        "b = select(Area.id).where(Area.path.startswith(root.path, autoescape=True))\n"
        "c = text(\"SELECT id FROM area WHERE path LIKE :p\")\n"
        "d = sub.c.path.like(p)\n", encoding="utf-8")
    found = offending_lines(tmp_path / "app")
    assert [line.split(":")[1] for line in found] == ["2", "3", "4", "5"], found
    assert found[0].startswith("app/somewhere/queries.py:2:")
