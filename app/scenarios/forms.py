from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField

from app.scenarios.models import DIMENSION_LABELS, DIMENSIONS, KIND_LABELS, KINDS
from app.scenarios.services import DESCRIPTION_MAX, NAME_MAX, NOTE_MAX


class ScenarioForm(FlaskForm):
    name = StringField(_l("Name"), render_kw={"maxlength": NAME_MAX})
    dimension = SelectField(_l("Dimension"), choices=[(d, DIMENSION_LABELS[d]) for d in DIMENSIONS],
                            validate_choice=False)
    kind = SelectField(_l("Kind"), choices=[(k, KIND_LABELS[k]) for k in KINDS], validate_choice=False)
    description = StringField(_l("Short description (optional)"), render_kw={"maxlength": DESCRIPTION_MAX})
    active = BooleanField(_l("In the catalogue"), default=True)


class AdoptionForm(FlaskForm):
    since = StringField(_l("Running since"), render_kw={"type": "date"})
    note = StringField(_l("Short note (optional)"), render_kw={"maxlength": NOTE_MAX})
