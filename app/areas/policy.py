"""Who may see an area's overview."""
from app.accounts.policy import can_manage_area, can_view_area  # noqa: F401 — one definition, shared
