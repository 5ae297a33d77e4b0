"""Home card for city admins: the Open311 API keys (the only way to the key administration page)."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.open311.models import ApiKey
from app.open311.policy import can_manage_api_keys
from app.web.home import HomeCard, home_card


@home_card(order=90)
def api_keys(user) -> HomeCard | None:
    if not can_manage_api_keys(user):
        return None
    active = db.session.scalar(select(func.count()).select_from(ApiKey).where(ApiKey.revoked_at.is_(None)))
    return HomeCard(title=_("Open311 API keys"), url=url_for("open311_admin.keys"), count=active,
                    empty_text=_("Active keys for apps that file reports through Open311."),
                    action_label=_("Manage API keys"))
