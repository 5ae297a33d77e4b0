"""Forms for organisations and pairings. Rules live in the services (one translated message each)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Optional

from app.organisations.models import ORG_KIND_LABELS, ORG_KINDS
from app.organisations.services import CONTACT_NAME_MAX, NAME_MAX, PHONE_MAX


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), render_kw={"maxlength": NAME_MAX}, validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=[(k, ORG_KIND_LABELS[k]) for k in ORG_KINDS], validate_choice=False,
                       validators=[Optional()])
    area_id = SelectField(_l("Where it sits"), choices=[], validate_choice=False, validators=[Optional()])
    contact_name = StringField(_l("Contact person (optional)"), render_kw={"maxlength": CONTACT_NAME_MAX},
                               validators=[Optional()])
    contact_phone = StringField(_l("Contact phone (optional)"),
                                render_kw={"maxlength": PHONE_MAX, "inputmode": "tel", "autocomplete": "off"},
                                validators=[Optional()])


class PairingForm(FlaskForm):
    organisation_id = SelectField(_l("Agency party branch"), choices=[], validate_choice=False,
                                  validators=[Optional()])
    community_id = SelectField(_l("Community"), choices=[], validate_choice=False, validators=[Optional()])
    year = StringField(_l("Year"), render_kw={"inputmode": "numeric", "maxlength": 4, "size": 6},
                       validators=[Optional()])
    next = HiddenField()
