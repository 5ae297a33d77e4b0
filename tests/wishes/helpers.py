"""Building wishes in a given state through the services (the same path the routes take)."""
from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.timeutil import local_today
from app.wishes import services
from app.wishes.models import Wish, WishClaim
from app.wishes.services import WishInput


def wish_input(**kw) -> WishInput:
    data = dict(category="study", title="A desk lamp", description="My grandson needs a lamp for his homework.",
                value=80, wanted_by=local_today() + timedelta(days=20))
    data.update(kw)
    return WishInput(**data)


def make_wish(c, state: str = "published", *, wisher=None, claimer=None, organisation=None, **kw) -> int:
    """A wish of ``wisher`` (default resident_a, community A) in ``state``; returns its id (committed)."""
    wisher = wisher or c.resident_a
    claimer = claimer or c.member_a
    wish = services.post_wish(wisher, wish_input(**kw))
    staff = c.staff_b if wish.community_id == c.comm_b.id else c.staff_a
    if state == "rejected":
        services.reject(wish, staff, "Not a micro-wish")
    elif state != "pending":
        services.approve(wish, staff)
    if state in ("claimed", "fulfilled", "completed"):
        services.claim(wish, claimer, organisation_id=organisation.id if organisation else None)
    if state in ("fulfilled", "completed"):
        services.fulfil(wish, claimer, "Delivered the lamp")
    if state == "completed":
        services.confirm(wish, wisher, "Thank you!")
    if state == "withdrawn":
        services.withdraw(wish, wisher)
    if state == "expired":
        services.expire(wish)
    db.session.commit()
    assert wish.state == state
    return wish.id


def get_wish(wish_id: int) -> Wish:
    db.session.expire_all()
    return db.session.get(Wish, wish_id)


def active_claims(wish_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(WishClaim)
                             .where(WishClaim.wish_id == wish_id, WishClaim.status == "active"))


def wish_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Wish))


def jpeg_bytes(size=(64, 48), color=(200, 30, 30), exif_gps: bool = False) -> bytes:
    img = Image.new("RGB", size, color)
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (31.0, 54.0, 0.0)}  # GPSInfo
        exif[0x010F] = "TestCam"  # Make
        img.save(out, "JPEG", exif=exif)
    else:
        img.save(out, "JPEG")
    return out.getvalue()


def files_under(path) -> list:
    from pathlib import Path

    root = Path(path)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
