"""Forms for wishes. Values and dates are parsed by the service so every message is ours and translated."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app.wishes.services import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX

IMAGE_TYPES = "image/jpeg,image/png,image/webp"


class WishForm(FlaskForm):
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX}, validators=[Length(
        max=TITLE_MAX, message=_l("The title may be at most %(max)d characters."))])
    description = TextAreaField(_l("What is needed, and why"), render_kw={"maxlength": DESCRIPTION_MAX},
                                validators=[Length(max=DESCRIPTION_MAX, message=_l(
                                    "The description may be at most %(max)d characters."))])
    value = StringField(_l("Estimated value (yuan)"))
    wanted_by = StringField(_l("Wanted by"))
    photo = FileField(_l("Photo (optional)"), render_kw={"accept": IMAGE_TYPES})
    #: a photo checked on an earlier round of this form, kept on the server (app/wishes/photos.py)
    kept_photo = HiddenField(validators=[Length(max=300)])
    drop_photo = BooleanField(_l("Post without the photo I chose"))
    post_key = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{8,32}$")])
    # 代录: staff or an area leader records the wish of a resident
    resident = StringField(_l("Resident's username or mobile number"), validators=[Length(max=64)])
    subject_name = StringField(_l("Or: the resident's name (no account)"), validators=[Length(max=20)])
    subject_contact = StringField(_l("How to reach them (a relative's phone, the address)"),
                                  validators=[Length(max=80)])
    #: the micro-grid chosen in the cascading place lists (templates/areas/_picker.html renders the lists)
    area_id = HiddenField(_l("Where they live"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClaimForm(FlaskForm):
    organisation_id = SelectField(_l("Claim as"), choices=[], validate_choice=False)
    members = MultiCheckboxField(_l("Team members who join (optional)"), choices=[], validate_choice=False)


#: a note or reason longer than NOTE_MAX is refused by its field, with what was typed kept
NOTE_LENGTH = Length(max=NOTE_MAX, message=_l("Please keep it to %(max)d characters."))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), render_kw={"maxlength": NOTE_MAX}, validators=[NOTE_LENGTH])


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note"), render_kw={"maxlength": NOTE_MAX}, validators=[NOTE_LENGTH])


class FulfilForm(FlaskForm):
    note = TextAreaField(_l("What was done"), render_kw={"maxlength": NOTE_MAX}, validators=[NOTE_LENGTH])
    photo = FileField(_l("Photo (optional)"), render_kw={"accept": IMAGE_TYPES})
