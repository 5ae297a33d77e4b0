"""A photo that passed its checks on a wish form the person must send again (another field was wrong) is kept on
the server for a few hours, so it need not be picked again. The form carries only a signed token naming the file
and the person; nothing is in the database until the wish is posted, and stale files are swept as new ones come.

Settings: WISH_KEPT_PHOTO_HOURS [6] how long a kept photo waits for the form to come back.
"""
from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.uploads.services import upload_root

_SALT = "wish-kept-photo"
_NAME = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _hours() -> float:
    return float(current_app.config.get("WISH_KEPT_PHOTO_HOURS", 6))


def _dir() -> Path:
    return upload_root() / "kept"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def _sweep(folder: Path) -> None:
    """Remove kept photos whose form never came back."""
    cutoff = time.time() - _hours() * 3600
    for path in folder.glob("*.img"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass


def keep(data: bytes, user_id: int) -> str:
    """Keep checked photo bytes for ``user_id``; returns the token for the form's hidden field."""
    folder = _dir()
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    name = secrets.token_urlsafe(16)
    fd = os.open(folder / f"{name}.img", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return _signer().dumps({"f": name, "u": user_id})


def _path(token: str | None, user_id: int) -> Path | None:
    if not token:
        return None
    try:
        payload = _signer().loads(token, max_age=int(_hours() * 3600))
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(payload, dict) or payload.get("u") != user_id or not _NAME.match(str(payload.get("f", ""))):
        return None
    return _dir() / f"{payload['f']}.img"


def load(token: str | None, user_id: int) -> bytes | None:
    """The kept bytes, or None for a token that is not this person's, has expired or whose file is gone."""
    path = _path(token, user_id)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None


def discard(token: str | None, user_id: int) -> None:
    path = _path(token, user_id)
    if path is not None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
