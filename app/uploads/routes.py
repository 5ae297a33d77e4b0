from __future__ import annotations

import re

from flask import abort, send_from_directory
from sqlalchemy import select

from app.extensions import db
from app.uploads import bp
from app.uploads.models import Upload
from app.uploads.services import upload_root

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{10,32}$")


@bp.get("/<token>.jpg")
def serve(token: str):
    if not TOKEN_RE.match(token):
        abort(404)
    upload = db.session.scalar(select(Upload).where(Upload.token == token))
    if upload is None:
        abort(404)
    response = send_from_directory(upload_root(), upload.relpath, mimetype=upload.content_type, max_age=86400 * 30)
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
