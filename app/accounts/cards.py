"""Home-page card for the people who manage accounts: the way to /users/ (no query beyond the user's roles)."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from app.accounts.policy import can_manage_people
from app.web.home import HomeCard, home_card


@home_card(order=95)
def people(user) -> HomeCard | None:
    if not can_manage_people(user):
        return None
    return HomeCard(
        title=_("People and roles"), url=url_for("accounts.people"),
        empty_text=_("Create accounts for people without one, grant roles, reset forgotten passwords."),
        action_label=_("Manage people"),
    )
