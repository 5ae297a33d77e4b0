"""Forms of the stations domain. Values are parsed by the services, so every message is ours and translated."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.stations.models import RATING_LABELS
from app.stations.services import (
    DESCRIPTION_MAX,
    DOCUMENTS_MAX,
    ELIGIBILITY_MAX,
    HOURS_MAX,
    NAME_MAX,
    NOTE_MAX,
    PLACE_MAX,
)

IMAGE_TYPES = "image/jpeg,image/png,image/webp"
#: a form field accepts more than the service does, so the service says in plain words how much is allowed
ROOM = 20_000


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StationForm(FlaskForm):
    community_id = SelectField(_l("Community"), choices=[], validate_choice=False)
    name = StringField(_l("Name of the station"), render_kw={"maxlength": NAME_MAX}, validators=[Length(max=ROOM)])
    place = StringField(_l("Where it is"), render_kw={"maxlength": PLACE_MAX}, validators=[Length(max=ROOM)])
    opening_hours = StringField(_l("Opening hours"), render_kw={"maxlength": HOURS_MAX},
                                validators=[Length(max=ROOM)])
    phone = StringField(_l("Phone (optional)"), render_kw={"maxlength": 20}, validators=[Length(max=ROOM)])
    microgrid_ids = MultiCheckboxField(_l("Micro-grids it serves (none ticked: the whole community)"), choices=[],
                                       validate_choice=False)


class ServiceForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[], validate_choice=False)
    name = StringField(_l("Name of the service"), render_kw={"maxlength": NAME_MAX}, validators=[Length(max=ROOM)])
    description = TextAreaField(_l("What it is, in plain words"), render_kw={"maxlength": DESCRIPTION_MAX},
                                validators=[Length(max=ROOM)])
    eligibility = StringField(_l("Who may use it"), render_kw={"maxlength": ELIGIBILITY_MAX},
                              validators=[Length(max=ROOM)])
    documents = TextAreaField(_l("Documents to hand over (errands)"), render_kw={"maxlength": DOCUMENTS_MAX},
                              validators=[Length(max=ROOM)])
    limit_hours = StringField(_l("Time limit in hours"), render_kw={"inputmode": "numeric"},
                              validators=[Length(max=ROOM)])
    active = BooleanField(_l("Offered now"), default=True)


class SlotForm(FlaskForm):
    day = StringField(_l("Day"), render_kw={"type": "date"}, validators=[Length(max=ROOM)])
    start = StringField(_l("From"), render_kw={"type": "time"}, validators=[Length(max=ROOM)])
    end = StringField(_l("To"), render_kw={"type": "time"}, validators=[Length(max=ROOM)])
    length = StringField(_l("Minutes per slot (empty: one slot)"), render_kw={"inputmode": "numeric"},
                         validators=[Length(max=ROOM)])
    capacity = StringField(_l("Places per slot"), render_kw={"inputmode": "numeric"}, validators=[Length(max=ROOM)])


class BookForm(FlaskForm):
    resident = StringField(_l("For a resident: username or mobile number"), validators=[Length(max=ROOM)])
    subject_name = StringField(_l("Or: the resident's name (no account)"), validators=[Length(max=ROOM)])
    subject_contact = StringField(_l("How to reach them (a relative's phone, the address)"),
                                  validators=[Length(max=ROOM)])


class RequestForm(BookForm):
    note = TextAreaField(_l("What do you need?"), render_kw={"maxlength": NOTE_MAX}, validators=[Length(max=ROOM)])
    photo = FileField(_l("Photo (optional)"), render_kw={"accept": IMAGE_TYPES})


class DoneForm(FlaskForm):
    note = TextAreaField(_l("What was done"), render_kw={"maxlength": NOTE_MAX}, validators=[Length(max=ROOM)])


class ConfirmForm(FlaskForm):
    rating = RadioField(_l("How satisfied are you?"), choices=[(k, v) for k, v in RATING_LABELS.items()],
                        validate_choice=False)
    comment = TextAreaField(_l("A word of thanks or what could be better (optional)"),
                            render_kw={"maxlength": NOTE_MAX}, validators=[Length(max=ROOM)])


class NotDoneForm(FlaskForm):
    note = TextAreaField(_l("What is still missing?"), render_kw={"maxlength": NOTE_MAX},
                         validators=[Length(max=ROOM)])


class MarkForm(FlaskForm):
    status = StringField(validators=[Length(max=20)])


class EmptyForm(FlaskForm):
    pass
