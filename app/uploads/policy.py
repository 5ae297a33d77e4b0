"""Who may see a stored photo.

A photo's URL is unguessable, but a URL gets forwarded: every request is also checked against the object the
photo belongs to. Each domain registers a viewer check for its own subject type (``@photo_viewer("wish")``,
in ``app/<domain>/attachments.py``), so this module never imports a domain. A photo whose subject has no
registered check, or that is not attached to anything yet, is shown only to the person who uploaded it.
"""
from __future__ import annotations

from collections.abc import Callable

ViewerCheck = Callable[[object, int], bool]
_VIEWERS: dict[str, ViewerCheck] = {}


def photo_viewer(subject_type: str) -> Callable[[ViewerCheck], ViewerCheck]:
    """Register ``check(user, subject_id) -> bool`` for photos attached to ``subject_type`` objects."""
    def register(check: ViewerCheck) -> ViewerCheck:
        _VIEWERS[subject_type] = check
        return check
    return register


def can_view_photo(user, upload) -> bool:
    check = _VIEWERS.get(upload.subject_type or "")
    if check is not None and upload.subject_id is not None:
        return bool(check(user, upload.subject_id))
    return bool(getattr(user, "is_authenticated", False) and upload.owner_id == user.id)
