"""Forms for member reports. Values are checked by the service so every message is ours and translated."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.members.services import ADDRESS_MAX, AVAILABILITY_MAX, REASON_MAX


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReportForm(FlaskForm):
    #: the micro-grid chosen in the cascading place lists (templates/areas/_picker.html renders the lists)
    area_id = HiddenField(_l("Where you live"))
    address = StringField(_l("Address (building and flat)"), render_kw={"maxlength": ADDRESS_MAX},
                          validators=[Length(max=400)])
    services = MultiCheckboxField(_l("Services you offer"), choices=[], validate_choice=False)
    availability = StringField(_l("When you are free"), render_kw={"maxlength": AVAILABILITY_MAX},
                               validators=[Length(max=400)])


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), render_kw={"maxlength": REASON_MAX}, validators=[Length(max=1000)])


class EmptyForm(FlaskForm):
    pass
