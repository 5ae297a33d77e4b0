"""The weights form; numbers are checked by the service so every message is ours."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

_num = {"inputmode": "numeric", "maxlength": 3, "size": 4}


class WeightsForm(FlaskForm):
    facilities = StringField(_l("Facilities"), render_kw=_num)
    data_sharing = StringField(_l("Data sharing"), render_kw=_num)
    scenarios = StringField(_l("Scenario building"), render_kw=_num)
    co_governance = StringField(_l("Residents' co-governance"), render_kw=_num)
