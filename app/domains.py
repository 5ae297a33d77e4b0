"""The one list of domain packages.

A domain is a package ``app/<name>/``. Declaring it here is all it takes for the app to load every part it has:

    models       tables (imported before anything queries, so metadata and migrations see them)
    policy       ``can_*`` / ``is_*`` functions, exposed to templates
    events       the payloads of the events it emits
    subscribers  effects of other domains' events (audit, points, notifications)
    cards        home-page cards
    notices      who is told of its events (the bell)
    attachments  who may see photos of its subjects
    jobs         scheduled jobs (``flask --app wsgi jobs run``)
    demo         seeders of the demo city
    routes       views attaching to ``bp`` (a blueprint in the package's ``__init__``), registered on the app

A package under ``app/`` that has any of these and is missing here fails ``tests/test_domains.py``; a name here
without its package fails at start. Order matters only for blueprints (registration order) and is otherwise free.
"""
from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

DOMAINS: tuple[str, ...] = (
    "web", "accounts", "areas", "organisations", "uploads", "timeline", "audit",
    "wishes", "issues", "open311", "notifications", "cobuild", "members", "activities", "points", "scenarios",
    "dashboard", "moderation", "stations",
)

#: the modules a domain may have, in the order they are loaded
PARTS: tuple[str, ...] = ("models", "policy", "events", "subscribers", "cards", "notices", "attachments", "jobs",
                          "demo", "routes")


class UnknownDomain(RuntimeError):
    pass


def _has(domain: str, part: str | None = None) -> bool:
    name = f"app.{domain}" if part is None else f"app.{domain}.{part}"
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def modules(part: str) -> list[ModuleType]:
    """Import ``app.<domain>.<part>`` of every domain that has one, in declaration order."""
    if part not in PARTS:
        raise ValueError(f"unknown domain part {part!r}")
    loaded = []
    for domain in DOMAINS:
        if not _has(domain):
            raise UnknownDomain(f"app.domains lists {domain!r} but there is no package app/{domain}/")
        if _has(domain, part):
            loaded.append(importlib.import_module(f"app.{domain}.{part}"))
    return loaded


def blueprints() -> list:
    """Each domain's ``bp``, after its routes attached themselves to it."""
    out = []
    for routes in modules("routes"):
        package = importlib.import_module(routes.__name__.rsplit(".", 1)[0])
        bp = getattr(package, "bp", None)
        if bp is None:
            raise UnknownDomain(f"{package.__name__} has routes.py but no blueprint `bp` in __init__")
        out.append(bp)
    return out
