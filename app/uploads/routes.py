from __future__ import annotations

import re

from flask import abort, send_from_directory
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.uploads import bp
from app.uploads.models import Upload
from app.uploads.policy import can_view_photo
from app.uploads.services import upload_root
from app.web.access import always_reachable

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{10,32}$")


@bp.get("/<token>.jpg")
@always_reachable
def serve(token: str):
    if not TOKEN_RE.match(token):
        abort(404)
    upload = db.session.scalar(select(Upload).where(Upload.token == token))
    if upload is None or not can_view_photo(current_user, upload):
        abort(404)  # the same answer whether the photo is missing or not for this person
    response = send_from_directory(upload_root(), upload.relpath, mimetype=upload.content_type, max_age=86400)
    # who may see it can change (a wish withdrawn, a report rejected): browsers may keep it a day, shared caches never
    response.cache_control.public = False
    response.cache_control.private = True
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
