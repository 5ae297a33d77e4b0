"""Progress photos are seen by whoever may see the item they report on."""
from __future__ import annotations

from app.cobuild.models import ItemProgress
from app.cobuild.policy import can_view_item
from app.extensions import db
from app.uploads.policy import photo_viewer


@photo_viewer(ItemProgress.__tablename__)
def may_see_progress_photo(user, progress_id: int) -> bool:
    entry = db.session.get(ItemProgress, progress_id)
    return entry is not None and can_view_item(user, entry.item)
