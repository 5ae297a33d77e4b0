"""Forms on the area overview. Length and content rules live in the services (one translated message each)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Optional

from app.areas.models import STAFFING_LABELS, STAFFING_POSTS
from app.areas.services import CODE_MAX, LOGIN_MAX, NAME_MAX, PERSON_MAX


class AreaForm(FlaskForm):
    """A new child area, or a new name for an area."""

    name = StringField(_l("Name"), render_kw={"maxlength": NAME_MAX}, validators=[Optional()])
    code = StringField(_l("Code (optional)"), render_kw={"maxlength": CODE_MAX, "autocapitalize": "off",
                                                         "spellcheck": "false"}, validators=[Optional()])


class StaffingForm(FlaskForm):
    post = SelectField(_l("Post"), choices=[(p, STAFFING_LABELS[p]) for p in STAFFING_POSTS],
                       validate_choice=False, validators=[Optional()])
    name = StringField(_l("Person's name"), render_kw={"maxlength": PERSON_MAX}, validators=[Optional()])
    account = StringField(_l("Their account: username or mobile number (optional)"),
                          render_kw={"maxlength": LOGIN_MAX, "autocapitalize": "off", "spellcheck": "false"},
                          validators=[Optional()])
