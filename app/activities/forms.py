"""Forms for activities. Values are parsed by the service so every message is ours and translated."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from app.activities.services import DESCRIPTION_MAX, PLACE_MAX, REASON_MAX, TITLE_MAX


class ActivityForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[], validate_choice=False)
    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX}, validators=[Length(max=200)])
    area_id = SelectField(_l("Community or micro-grid"), choices=[], validate_choice=False)
    place = StringField(_l("Where to meet"), render_kw={"maxlength": PLACE_MAX}, validators=[Length(max=300)])
    starts_at = StringField(_l("Starts"), render_kw={"type": "datetime-local"})
    ends_at = StringField(_l("Ends"), render_kw={"type": "datetime-local"})
    capacity = StringField(_l("Places"), render_kw={"inputmode": "numeric"})
    audience = SelectField(_l("Who may join"), choices=[], validate_choice=False)
    audience_organisation_id = SelectField(_l("Organisation (when one organisation may join)"), choices=[],
                                           validate_choice=False)
    walk_ins = BooleanField(_l("Walk-ins may check in without signing up"))
    description = TextAreaField(_l("What to bring, what to do"), render_kw={"maxlength": DESCRIPTION_MAX},
                                validators=[Length(max=3000)])


class CheckForm(FlaskForm):
    checkin_pass = HiddenField(validators=[Length(max=300)])


class MarkForm(FlaskForm):
    person = StringField(_l("Username or mobile number"), validators=[Length(max=64)])


class CorrectForm(FlaskForm):
    minutes = StringField(_l("Minutes that count"), render_kw={"inputmode": "numeric"})
    reason = StringField(_l("Reason"), render_kw={"maxlength": REASON_MAX}, validators=[Length(max=1000)])


class EmptyForm(FlaskForm):
    pass
