"""The rotating check-in code: a token signed with the app's secret naming the activity, the mode (in/out) and
the 30-second time slice. A photo of the code forwarded to someone at home is useless a minute later; a token for
another activity, or altered, fails the signature."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from app.timeutil import utcnow

SLICE_SECONDS = 30
#: a token is good in its own slice and the one after (so a scan at the edge works); two slices old is refused
MAX_AGE_SLICES = 1
MODES = ("in", "out")
SALT = "activity-checkin"


@dataclass(frozen=True)
class Token:
    activity_id: int
    mode: str
    slice: int


def slice_of(at: datetime | None = None) -> int:
    at = at or utcnow()
    return int(at.timestamp() // SLICE_SECONDS) if at.tzinfo else int(
        (at - datetime(1970, 1, 1)).total_seconds() // SLICE_SECONDS)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make(activity_id: int, mode: str, at: datetime | None = None) -> str:
    return _serializer().dumps([activity_id, mode, slice_of(at)])


def read(raw: str | None) -> Token | None:
    """The token's content when the signature holds, else None (tampered, truncated, not ours)."""
    if not raw or len(raw) > 200:
        return None
    try:
        data = _serializer().loads(raw)
    except BadData:
        return None
    if not (isinstance(data, list) and len(data) == 3 and isinstance(data[0], int) and data[1] in MODES
            and isinstance(data[2], int)):
        return None
    return Token(activity_id=data[0], mode=data[1], slice=data[2])


def is_fresh(token: Token, at: datetime | None = None) -> bool:
    age = slice_of(at) - token.slice
    return 0 <= age <= MAX_AGE_SLICES


def seconds_left(at: datetime | None = None) -> int:
    at = at or utcnow()
    seconds = (at - datetime(1970, 1, 1)).total_seconds()
    return SLICE_SECONDS - int(seconds % SLICE_SECONDS)


PASS_SALT = "activity-checkin-pass"
#: after a fresh scan the person has this long to press the button (the pass names their account)
PASS_SECONDS = 120


def _pass_serializer():
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=PASS_SALT)


def make_pass(token: Token, user_id: int) -> str:
    """Given on the page a fresh scan opened: good for this account, this activity and mode, for a short while."""
    return _pass_serializer().dumps([token.activity_id, token.mode, user_id])


def read_pass(raw: str | None, activity_id: int, user_id: int) -> str | None:
    """The mode a pass allows, or None when it is expired, altered, for another activity or another account."""
    if not raw or len(raw) > 300:
        return None
    try:
        data = _pass_serializer().loads(raw, max_age=PASS_SECONDS)
    except BadData:
        return None
    if not (isinstance(data, list) and len(data) == 3 and data[0] == activity_id and data[2] == user_id
            and data[1] in MODES):
        return None
    return data[1]
