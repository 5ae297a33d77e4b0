"""The stylesheet is plain CSS: a stray HTML tag in it silently drops the rule that follows."""
from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"


def test_stylesheet_has_no_html_and_balanced_braces():
    css = (STATIC / "app.css").read_text(encoding="utf-8")
    assert "<" not in css.replace("&lt;", "")
    without_comments = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert without_comments.count("{") == without_comments.count("}")
