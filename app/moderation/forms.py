"""The reason forms: reporting content, and the staff's decision."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from app.moderation.services import REASON_MAX


class FlagForm(FlaskForm):
    reason = TextAreaField(_l("What is wrong with it?"), render_kw={"maxlength": REASON_MAX, "rows": 3},
                           validators=[Length(max=REASON_MAX, message=_l(
                               "The reason may be at most %(max)d characters."))])


class DecisionForm(FlaskForm):
    reason = TextAreaField(_l("Reason (the author reads it)"), render_kw={"maxlength": REASON_MAX, "rows": 2},
                           validators=[Length(max=REASON_MAX, message=_l(
                               "The reason may be at most %(max)d characters."))])
