"""Forms for reporting and handling issues. Length and content rules live in the services (one message each)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app.issues.models import CHANNEL_LABELS, RATING_LABELS, RATINGS, RECORDED_CHANNELS


class ReportForm(FlaskForm):
    category = RadioField(_l("What kind of problem?"), choices=[], validate_choice=False,
                          validators=[Optional()])
    description = TextAreaField(_l("What is wrong?"), validators=[Optional()])
    place = RadioField(_l("Where?"), choices=[("home", _l("Where I live")), ("pick", _l("Another place"))],
                       default="home", validate_choice=False, validators=[Optional()])
    address = StringField(_l("Address or landmark (optional)"), validators=[Optional()])
    lat = HiddenField()
    lon = HiddenField()
    photos = MultipleFileField(_l("Photos (up to 3, optional)"))
    anonymous = BooleanField(_l("Hide my name from the public"))
    # 代录: leaders and staff recording a report for a resident
    channel = SelectField(_l("How did the report reach you?"), validate_choice=False,
                          choices=[("web", _l("It is my own report"))]
                          + [(c, CHANNEL_LABELS[c]) for c in RECORDED_CHANNELS])
    resident_mobile = StringField(_l("Resident's mobile number (if registered)"), validators=[Optional()])
    resident_name = StringField(_l("Resident's name"), validators=[Optional()])
    resident_phone = StringField(_l("Resident's phone (for the revisit)"), validators=[Optional()])


class QuickReportForm(FlaskForm):
    area_id = SelectField(_l("Where?"), choices=[], validate_choice=False, validators=[Optional()])
    address = StringField(_l("Address or landmark (optional)"), validators=[Optional()])
    description = StringField(_l("A few words (optional)"), validators=[Optional()])
    photo = FileField(_l("Photo"))
    lat = HiddenField()
    lon = HiddenField()


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Optional()])


class PublicNoteForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Optional()])
    public = BooleanField(_l("Visible to the reporter and the public"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional()])


class AssignForm(FlaskForm):
    assignee_id = SelectField(_l("Person"), choices=[], validate_choice=False, validators=[Optional()])
    note = StringField(_l("Note (internal)"), validators=[Optional()])


class ResolveForm(FlaskForm):
    note = TextAreaField(_l("What was done"), validators=[Optional()])
    photo = FileField(_l("Photo of the result (optional)"))
    parties = StringField(_l("Parties"), validators=[Optional()])
    mediator = StringField(_l("Mediator"), validators=[Optional()])
    agreement_reached = BooleanField(_l("An agreement was reached"))
    agreement_text = TextAreaField(_l("Agreement"), validators=[Optional()])


class RateForm(FlaskForm):
    value = RadioField(_l("Was it solved to your satisfaction?"), validate_choice=False,
                       choices=[(v, RATING_LABELS[v]) for v in RATINGS], validators=[Optional()])
    comment = TextAreaField(_l("Comment"), validators=[Optional()])


class DuplicateForm(FlaskForm):
    original_id = StringField(_l("Number of the original issue"), validators=[Optional()])
    note = StringField(_l("Note (optional)"), validators=[Optional()])
