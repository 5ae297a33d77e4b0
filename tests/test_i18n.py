"""Every user-visible string has a zh_CN translation; templates hold no untranslated Chinese."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_is_translated():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "i18n.py"), "check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_templates_have_no_chinese_outside_gettext():
    cjk_outside = re.compile(r">[^<{]*[\u4e00-\u9fff]")
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.replace("中文", "")  # the language switch names its own language
            if cjk_outside.search(stripped):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}")
    assert offenders == []


def test_a_forced_locale_inside_a_request_translates_and_then_gives_the_request_its_own_back(app):
    """The catalogue is looked up once per request and kept next to its locale: ``force_locale`` (a message written
    in the default language for someone else) must still switch it, in Python and in templates, and switch back."""
    from flask import render_template_string
    from flask_babel import force_locale, gettext

    template = "{{ _('Sign in') }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert gettext("Sign in") == "Sign in" == render_template_string(template)
        with force_locale("zh_CN"):
            chinese = gettext("Sign in")
            assert chinese != "Sign in" and render_template_string(template) == chinese
        assert gettext("Sign in") == "Sign in" == render_template_string(template)

