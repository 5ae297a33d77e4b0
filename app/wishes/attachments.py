"""Photos attached to a wish (the wish's own and the fulfilment photo) are seen by whoever may see the wish."""
from __future__ import annotations

from app.extensions import db
from app.uploads.policy import photo_viewer
from app.wishes.models import Wish
from app.wishes.policy import can_view_wish


@photo_viewer(Wish.__tablename__)
def may_see_wish_photo(user, wish_id: int) -> bool:
    wish = db.session.get(Wish, wish_id)
    return wish is not None and can_view_wish(user, wish)
