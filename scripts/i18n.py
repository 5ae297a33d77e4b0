#!/usr/bin/env python3
"""Translations, kept per domain so parallel work does not collide.

    python scripts/i18n.py build    # merge i18n/zh_CN/*.po → app/translations/zh_CN/LC_MESSAGES/messages.mo
    python scripts/i18n.py check    # every _() string in code and templates has a zh_CN translation (exit 1 if not)
    python scripts/i18n.py update DOMAIN   # add DOMAIN's missing strings (empty msgstr) to i18n/zh_CN/DOMAIN.po

Message ids are English (the second locale needs no catalogue); zh_CN, the default locale, is translated.
A string from app/<domain>/ or templates/<domain>/ belongs to i18n/zh_CN/<domain>.po; the rest to core.po
(strings of accounts and areas written before they had files of their own stay in core.po).
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "i18n" / "zh_CN"
# Babel parses zh_CN as zh_Hans_CN; gettext then looks for "zh_Hans_CN" and "zh", so the catalogue lives in zh/
OUT = ROOT / "app" / "translations" / "zh" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "lazy_ngettext": (1, 2), "_n": (1, 2)}
METHOD_MAP = [("app/**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]


CONFLICTS: list[str] = []


def load_sources() -> Catalog:
    """Merge the per-domain files; one message id must have one translation across all of them."""
    merged = Catalog(locale="zh_CN", domain="messages")
    origin: dict = {}
    CONFLICTS.clear()
    for po in sorted(SRC.glob("*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale="zh_CN")
        for message in catalog:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            previous = merged.get(message.id)
            if previous is not None and previous.string and message.string and previous.string != message.string:
                CONFLICTS.append(f"{key!r}: {origin[key]} says {previous.string!r}, {po.name} says {message.string!r}")
            origin[key] = po.name
            merged[message.id] = message
    return merged


def extract() -> dict:
    found: dict = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHOD_MAP, keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.do", "trimmed": "true"}},
    ):
        if isinstance(message, tuple):
            if not message[0]:
                continue
            key = message if len(message) > 1 and message[1] else message[0]
        else:
            key = message
        if key:
            found.setdefault(key, filename)
    return found


def domain_of(filename: str) -> str:
    parts = Path(filename).parts
    if len(parts) >= 2 and parts[0] in ("app", "templates") and (SRC.parent.parent / parts[0] / parts[1]).is_dir():
        name = parts[1]
        if name in {"accounts", "areas", "organisations", "wishes", "issues", "open311", "cobuild", "members",
                    "activities", "points", "dashboard", "scenarios", "notifications",
                    "moderation", "audit", "stations"}:
            return name
    return "core"


def translated(message) -> bool:
    if isinstance(message.string, (list, tuple)):
        return all(message.string)
    return bool(message.string)


def build() -> None:
    catalog = load_sources()
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "messages.mo").open("wb") as fh:
        write_mo(fh, catalog)
    print(f"built {OUT / 'messages.mo'}: {sum(1 for m in catalog if m.id and translated(m))} translated messages")


def missing() -> list[tuple]:
    catalog = load_sources()
    out = []
    for key, filename in extract().items():
        msg_id = key[0] if isinstance(key, tuple) else key
        message = catalog.get(msg_id)
        if message is None or not translated(message):
            out.append((key, filename))
    return out


def check() -> int:
    gaps = missing()
    for key, filename in gaps:
        print(f"untranslated: {filename}: {key!r}")
    for conflict in CONFLICTS:
        print(f"two translations for {conflict}")
    print(f"{len(gaps)} untranslated message(s), {len(CONFLICTS)} conflicting translation(s)")
    return 1 if gaps or CONFLICTS else 0


def update(only: str) -> None:
    """Only one domain's file is written, so engineers working on different domains never collide."""
    gaps = missing()
    by_domain: dict[str, list] = {}
    for key, filename in gaps:
        if domain_of(filename) == only:
            by_domain.setdefault(only, []).append((key, filename))
    SRC.mkdir(parents=True, exist_ok=True)
    for domain, items in by_domain.items():
        path = SRC / f"{domain}.po"
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale="zh_CN")
        else:
            catalog = Catalog(locale="zh_CN", project="portal")
        for key, filename in items:
            msg_id = key if not isinstance(key, tuple) else key
            if catalog.get(key[0] if isinstance(key, tuple) else key) is None:
                catalog.add(msg_id, string=("", "") if isinstance(key, tuple) else "", locations=[(filename, 0)])
        with path.open("wb") as fh:
            write_po(fh, catalog, width=120, omit_header=False, include_lineno=False)
        print(f"{path}: {len(items)} new message(s) to translate")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "build"
    if command == "build":
        build()
    elif command == "check":
        sys.exit(check())
    elif command == "update":
        if len(sys.argv) < 3:
            sys.exit("usage: python scripts/i18n.py update DOMAIN   (core, wishes, issues, open311, …)")
        update(sys.argv[2])
    else:
        sys.exit(__doc__)
