"""Forms for the checklists. Numbers and dates are parsed by the route/service so every message is ours."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from app.cobuild.services import CONTACT_MAX, DESCRIPTION_MAX, NOTE_MAX, QUANTITY_MAX, TITLE_MAX

IMAGE_TYPES = "image/jpeg,image/png,image/webp"


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ItemForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX})
    description = TextAreaField(_l("Description"), render_kw={"maxlength": DESCRIPTION_MAX})
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    quantity = StringField(_l("Quantity (optional)"), render_kw={"maxlength": QUANTITY_MAX})
    value = StringField(_l("Estimated value in yuan (optional)"), render_kw={"inputmode": "numeric"})
    community_contact = StringField(_l("Responsible person, community side"), render_kw={"maxlength": CONTACT_MAX})
    agency_contact = StringField(_l("Responsible person, agency side"), render_kw={"maxlength": CONTACT_MAX})
    responsible_side = SelectField(_l("Who carries it out and reports progress"), choices=[],
                                   validate_choice=False)
    target_date = StringField(_l("Target date"), render_kw={"type": "date"})
    items = MultiCheckboxField(_l("Needs and resources to match"), choices=[], validate_choice=False)
    community_id = SelectField(_l("Community"), choices=[], validate_choice=False)


class ProgressForm(FlaskForm):
    percent = StringField(_l("Progress in percent (0–100)"), render_kw={"inputmode": "numeric"})
    note = TextAreaField(_l("What was done this time"), render_kw={"maxlength": NOTE_MAX})
    photos = MultipleFileField(_l("Photos (up to 3, optional)"), render_kw={"accept": IMAGE_TYPES})


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Completion note"), render_kw={"maxlength": NOTE_MAX})


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), render_kw={"maxlength": NOTE_MAX})


class EvaluateForm(FlaskForm):
    rating = RadioField(_l("Stars"), choices=[(str(n), "★" * n) for n in range(5, 0, -1)], validate_choice=False)
    comment = TextAreaField(_l("Comment (optional)"), render_kw={"maxlength": NOTE_MAX})


class ClaimForm(FlaskForm):
    organisation_id = SelectField(_l("Claim for"), choices=[], validate_choice=False)


class ImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet (.xlsx)"),
                     render_kw={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
