"""Who may administer the Open311 API: API keys are a city-wide privilege."""
from __future__ import annotations

from app.accounts.scope import is_city_admin


def can_manage_api_keys(user) -> bool:
    """Only a city admin issues, lists and revokes API keys; everyone else gets 403 and sees no link."""
    return is_city_admin(user)
