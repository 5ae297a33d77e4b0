from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField


class RuleForm(FlaskForm):
    """The points are checked by the service (a fraction or a huge number gets its own message)."""

    label = StringField(_l("Name"))
    points = StringField(_l("Points"))
    active = BooleanField(_l("Active"))


class CommendationForm(FlaskForm):
    """The top N of the board, or the people ticked on it (``picked``, read from the form's list)."""

    title = StringField(_l("Title"))
    top = StringField(_l("Commend the top"))
