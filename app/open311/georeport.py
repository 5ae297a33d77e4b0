"""GeoReport v2 resources built from the issue tracker: services, service definitions, requests, tokens.

Read-only queries on ``app.issues.models``; creation goes through ``app.issues.services.report_issue``.
Every client mistake raises ``ApiError`` (400/403/404) with a description meant for the person using the app.
"""
from __future__ import annotations

import math
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from app.areas.models import Area
from app.extensions import db
from app.moderation.models import publicly_listed
from app.open311.formats import xml_safe
from app.open311.models import ApiKey, Open311Request
from app.timeutil import local_date_to_utc, local_zone, utcnow
from app.web.params import parse_id
from app.web.routes import external_url

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: sortable "last changed" stamp of the discovery document and service definitions (OPEN311_CHANGESET overrides)
CHANGESET = "2026-11-26 04:20"
#: the spec's response volume: a span of 90 days or the first 1000 requests, whichever is smallest
MAX_SPAN = timedelta(days=90)
DEFAULT_MAX_REQUESTS = 1000
#: the spec limits descriptions to 4,000 characters
MAX_DESCRIPTION = 4000
MAX_IDS = 1000

#: attribute codes of our service definitions
ATTR_LOCATION = "LOCATION_HELP"
ATTR_ANONYMOUS = "ANONYMOUS"


class ApiError(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def bad(description: str) -> ApiError:
    return ApiError(400, description)


# -- services -----------------------------------------------------------------------------------------------
def _categories():
    from app.issues.models import IssueCategory

    return IssueCategory


def api_categories() -> list:
    """Categories offered through the API: active and public (neighbour disputes stay off the public API)."""
    cat = _categories()
    stmt = select(cat).where(cat.active.is_(True), cat.public.is_(True)).order_by(cat.sort_order, cat.id)
    return list(db.session.scalars(stmt))


#: what a service_code, token or address_id can look like; anything else is unknown without asking the database
_CODE = re.compile(r"^[A-Za-z0-9_.~-]{1,64}$")


def find_category(code: str | None):
    if not code or not _CODE.match(code) or len(code) > 40:
        return None
    cat = _categories()
    return db.session.scalar(select(cat).where(cat.code == code, cat.active.is_(True), cat.public.is_(True)))


def _hours(n: int) -> str:
    if n % 24 == 0 and n >= 24:
        days = n // 24
        return _("%(n)d day", n=days) if days == 1 else _("%(n)d days", n=days)
    return _("%(n)d hour", n=n) if n == 1 else _("%(n)d hours", n=n)


def service_notice(category) -> str:
    return _("Accepted within %(accept)s and resolved within %(resolve)s of the report.",
             accept=_hours(category.accept_hours), resolve=_hours(category.resolve_hours))


def service(category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.label,
        "description": category.description_label,
        "metadata": True,  # every service has the optional ANONYMOUS attribute and the location help
        "type": "realtime",
        "keywords": "",
        "group": "urgent" if category.urgent else "general",
    }


def location_help() -> str:
    return _("Where: send lat and long, address_string or address_id. address_id is the code of an area of this "
             "portal (a micro-grid, or a larger area if the micro-grid is not known). Without address_id the "
             "request is filed in the default area of your API key; lat, long and address_string are kept with "
             "the request.")


def service_definition(category) -> dict:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": False,
                "code": ATTR_LOCATION,
                "datatype": "string",
                "required": False,
                "datatype_description": None,
                "order": 1,
                "description": location_help(),
                "values": [],
            },
            {
                "variable": True,
                "code": ATTR_ANONYMOUS,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("yes: the public sees \"Anonymous\" instead of the reporter's name."),
                "order": 2,
                "description": _("Hide the reporter's name from the public?"),
                "values": [{"key": "no", "name": _("No")}, {"key": "yes", "name": _("Yes")}],
            },
        ],
    }


# -- discovery ----------------------------------------------------------------------------------------------
def discovery() -> dict:
    config = current_app.config
    changeset = config.get("OPEN311_CHANGESET") or CHANGESET
    endpoint = external_url("open311.discovery", fmt="xml").rsplit("/discovery.", 1)[0]
    return {
        "changeset": changeset,
        "contact": config.get("OPEN311_CONTACT") or _(
            "For help with this API, contact the city administrators of this portal (organisation department)."),
        "key_service": config.get("OPEN311_KEY_SERVICE") or _(
            "API keys are issued by the city administrators on request; a key is needed only to create "
            "requests (POST requests.xml or requests.json with api_key). address_id is the code of an area of "
            "this portal; without it a request is filed in the key's default area."),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": endpoint,
            "changeset": changeset,
            "type": config.get("OPEN311_ENDPOINT_TYPE") or "production",
            "formats": ["text/xml", "application/json"],
        }],
    }


# -- requests: output ---------------------------------------------------------------------------------------
def _state_label(state: str, close_reason: str | None) -> str:
    """The issue's state as the portal names it (``Issue.state_label``), from the two columns it depends on."""
    from app.issues.models import action_label, state_label

    if state == "closed" and close_reason == "no_rating":
        return action_label("auto_closed")
    return state_label(state)


def _state_note(state: str, close_reason: str | None, duplicate_of_id: int | None, reject_reason: str | None,
                labels: dict | None = None) -> str:
    key = (state, close_reason)
    label = labels.get(key) if labels is not None else None
    if label is None:
        label = _state_label(*key)
        if labels is not None:
            labels[key] = label
    note = f"{state}: {label}"
    if state == "duplicate" and duplicate_of_id:
        note += " " + _("(same as request %(id)s)", id=duplicate_of_id)
    if state == "rejected" and reject_reason:
        note += " — " + _("Reason: %(reason)s", reason=reject_reason)
    return note


#: decimals of lat/long in public output: 3 (about 100 m), the precision of "which block", not "which door"
PUBLIC_COORDINATE_DECIMALS = 3


class _Constants:
    """What every request of one answer shares — a category's name and notice, a state's label, the timezone —
    looked up and translated once per answer instead of once per request (an answer has up to 1,000)."""

    def __init__(self):
        from app.issues.models import IssueCategory

        self.categories: dict[int, tuple[str, str, str]] = {
            c.id: (c.label, c.code, service_notice(c)) for c in db.session.scalars(select(IssueCategory))}
        self.states: dict[tuple, str] = {}
        self.zone = local_zone()


def _items(rows: list) -> list[dict]:
    """The answer's requests, from the plain column tuples of ``_fetch`` (one loop, no ORM object per request:
    an answer has up to 1,000)."""
    from app.issues.models import OPEN_STATES

    if not rows:
        return []
    constants = _Constants()
    categories, states, zone = constants.categories, constants.states, constants.zone
    open_states = frozenset(OPEN_STATES)
    digits = PUBLIC_COORDINATE_DECIMALS

    def iso(value: datetime | None) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(zone).isoformat(timespec="seconds")

    items = []
    append = items.append
    for (issue_id, category_id, description, address, lat, lon, state, duplicate_of_id, reject_reason, close_reason,
         created_at, updated_at, resolved_at, closed_at, resolve_due_at, area_name, area_code, handler_name,
         media_url) in rows:
        is_open = state in open_states
        status = "open" if is_open else "closed"
        name, code, notice = categories[category_id]
        if state == "duplicate" or state == "rejected":
            note = _state_note(state, close_reason, duplicate_of_id, reject_reason, states)
        else:
            label = states.get((state, close_reason))
            if label is None:
                label = states[(state, close_reason)] = _state_label(state, close_reason)
            note = f"{state}: {label}"
        # "updated": when it was closed, for a closed request; else its last change
        updated = ((closed_at or resolved_at or updated_at or created_at) if not is_open
                   else (updated_at or created_at))
        append({
            "service_request_id": str(issue_id),
            "status": status,
            "status_notes": note,
            "service_name": name,
            "service_code": code,
            "description": description,
            "agency_responsible": handler_name,
            "service_notice": notice,
            "requested_datetime": iso(created_at),
            "updated_datetime": iso(updated),
            "expected_datetime": iso(resolve_due_at) if is_open else None,
            "address": address or area_name,
            "address_id": area_code,
            "zipcode": None,
            "lat": round(lat, digits) if lat is not None else None,
            "long": round(lon, digits) if lon is not None else None,
            "media_url": media_url,
        })
    return items


def _public_issues():
    """The issues the API shows: the same rule as the portal's public pages (public categories, and not reports that
    were rejected), except that a request filed through this API stays visible once rejected — its app has no other
    way to tell its user what happened (status ``closed``, ``status_notes`` with the reason)."""
    from app.issues.models import Issue, IssueCategory

    return (select(Issue).join(IssueCategory, Issue.category_id == IssueCategory.id)
            .where(IssueCategory.public.is_(True), or_(Issue.state != "rejected", Issue.channel == "open311"),
                   publicly_listed(Issue)))


#: the columns of an issue that a request's output reads, in the order ``_items`` unpacks them (the rest of the row
#: is never fetched)
_ITEM_COLUMNS = ("id", "category_id", "description", "address", "lat", "lon", "state", "duplicate_of_id",
                 "reject_reason", "close_reason", "created_at", "updated_at", "resolved_at", "closed_at",
                 "resolve_due_at")


def _fetch(stmt) -> list[dict]:
    """The answer's requests from one query: the issue's columns, the names of its place and handler area and the
    photo link of a request filed through the API (at most one per issue), as plain tuples."""
    from app.issues.models import Issue

    place, handler = aliased(Area), aliased(Area)
    stmt = (stmt.with_only_columns(*(getattr(Issue, name) for name in _ITEM_COLUMNS), place.name.label("area_name"),
                                   place.code.label("area_code"), handler.name.label("handler_name"),
                                   Open311Request.media_url)
            .outerjoin(place, place.id == Issue.area_id).outerjoin(handler, handler.id == Issue.handler_area_id)
            .outerjoin(Open311Request, Open311Request.issue_id == Issue.id))
    return _items(db.session.execute(stmt).tuples().all())


def get_request(raw_id: str) -> list[dict]:
    from app.issues.models import Issue

    issue_id = parse_id(raw_id)
    rows = _fetch(_public_issues().where(Issue.id == issue_id)) if issue_id else []
    if not rows:
        raise ApiError(404, _("Service request %(id)s was not found.", id=xml_safe(raw_id)[:40]))
    return rows


def parse_datetime(value: str, name: str, *, end: bool = False) -> datetime:
    """A w3c/ISO 8601 date-time with a timezone (``2010-01-01T00:00:00Z`` or ``…+08:00``) → naive UTC.
    A bare date (``2010-01-01``) is a local calendar day: its start, or its end for ``end_date``."""
    text = (value or "").strip()
    problem = _("%(name)s must be an ISO 8601 date and time with a timezone, e.g. 2026-01-01T00:00:00+08:00 "
                "or 2026-01-01T00:00:00Z.", name=name)
    if not text or len(text) > 40:
        raise bad(problem)
    # an unencoded "+08:00" in a query string arrives as " 08:00"
    text = re.sub(r"(T[\d:.]+) (\d{2}:?\d{2})$", r"\1+\2", text)
    if not text.isascii() or not text[:4].isdigit() or not 1900 <= int(text[:4]) <= 2999:
        raise bad(problem)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return local_date_to_utc(datetime.strptime(text, "%Y-%m-%d").date(), end_of_day=end)
        except ValueError as e:
            raise bad(problem) from e
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|z|[+-]\d{2}:?\d{2})", text):
        raise bad(problem)
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError as e:
        raise bad(problem) from e
    if moment.tzinfo is None:
        raise bad(problem)
    return moment.astimezone(UTC).replace(tzinfo=None)


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def list_requests(args: Mapping[str, str]) -> list[dict]:
    """GET requests: service_request_id (overrides everything else), service_code, start_date, end_date, status.
    At most 90 days and the first ``OPEN311_MAX_REQUESTS`` (1000) requests, newest first."""
    from app.issues.models import OPEN_STATES, Issue, IssueCategory

    limit = int(current_app.config.get("OPEN311_MAX_REQUESTS", DEFAULT_MAX_REQUESTS))
    stmt = _public_issues()
    raw_ids = _csv(args.get("service_request_id"))
    if raw_ids:
        if len(raw_ids) > MAX_IDS:
            raise bad(_("Ask for at most %(n)d service_request_id values at once.", n=MAX_IDS))
        ids = []
        for raw in raw_ids:
            value = parse_id(raw)
            if value is None and raw.isascii() and raw.isdigit() and raw.strip("0"):
                continue  # a number beyond any id: an unknown request, which matches nothing (like any other)
            if value is None:
                raise bad(_("service_request_id must be a comma-separated list of request ids; "
                            "\"%(value)s\" is not one.", value=xml_safe(raw)[:40]))
            ids.append(value)
        stmt = stmt.where(Issue.id.in_(ids))
    else:
        codes = _csv(args.get("service_code"))
        if codes:
            known = {c.code for c in api_categories()}
            unknown = [c for c in codes if c not in known]
            if unknown:
                raise bad(_("Unknown service_code: %(codes)s. GET services.json lists the codes.",
                            codes=xml_safe(", ".join(unknown))[:200]))
            stmt = stmt.where(IssueCategory.code.in_(codes))
        start = parse_datetime(args["start_date"], "start_date") if (args.get("start_date") or "").strip() else None
        end = (parse_datetime(args["end_date"], "end_date", end=True)
               if (args.get("end_date") or "").strip() else None)
        if start is None and end is None:
            end = utcnow()
            start = end - MAX_SPAN
        elif start is None:
            start = end - MAX_SPAN
        elif end is None:
            end = start + MAX_SPAN
        if start > end:
            raise bad(_("start_date must be before end_date."))
        if end - start > MAX_SPAN + timedelta(seconds=1):
            raise bad(_("start_date and end_date may not span more than 90 days."))
        stmt = stmt.where(Issue.created_at >= start, Issue.created_at <= end)
        statuses = {s.lower() for s in _csv(args.get("status"))}
        if statuses - {"open", "closed"}:
            raise bad(_("status must be open, closed, or both separated by a comma."))
        if statuses == {"open"}:
            stmt = stmt.where(Issue.state.in_(OPEN_STATES))
        elif statuses == {"closed"}:
            stmt = stmt.where(Issue.state.not_in(OPEN_STATES))
    stmt = stmt.order_by(Issue.created_at.desc(), Issue.id.desc()).limit(limit)
    return _fetch(stmt)


def find_token(token: str) -> list[dict]:
    record = None
    if token and _CODE.match(token):
        record = db.session.scalar(select(Open311Request).where(Open311Request.token == token))
    if record is None:
        raise ApiError(404, _("Token %(token)s was not found.", token=xml_safe(token or "")[:64]))
    return [{"service_request_id": str(record.issue_id), "token": record.token}]


# -- requests: POST ----------------------------------------------------------------------------------------
#: IssueError.field → the GeoReport parameter it is about
PARAMS = {"description": "description", "address": "address_string", "lat": "lat", "area_id": "address_id",
          "category": "service_code", "reporter_name": "first_name/last_name", "reporter_phone": "phone",
          "reporter_email": "email"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]{1,60})\](\[\])?$")


def clean(value: str | None) -> str | None:
    """Trimmed text without the control characters a database or an XML document cannot hold; None if empty."""
    if value is None:
        return None
    text = xml_safe(value).strip()
    return text or None


def _limited(form: Mapping, name: str, max_len: int) -> str | None:
    value = clean(form.get(name))
    if value is not None and len(value) > max_len:
        raise bad(_("%(name)s may be at most %(n)d characters long.", name=name, n=max_len))
    return value


def parse_coordinate(raw: str, name: str, limit: float) -> float:
    problem = _("%(name)s must be a number between -%(limit)d and %(limit)d (WGS84 degrees).", name=name,
                limit=int(limit))
    try:
        value = float(raw.strip())
    except (TypeError, ValueError) as e:
        raise bad(problem) from e
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise bad(problem)
    return value


def _attributes(form) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key in form.keys():
        match = _ATTRIBUTE.match(key)
        if key.startswith("attribute") and not match:
            raise bad(_("Attributes are sent as attribute[CODE]=value."))
        if match:
            found.setdefault(match.group(1), []).extend(clean(v) or "" for v in form.getlist(key))
    for code, values in found.items():
        if code != ATTR_ANONYMOUS:
            raise bad(_("Unknown attribute %(code)s; the service definition lists the attributes.",
                        code=xml_safe(code)[:60]))
        if len(values) != 1 or values[0].lower() not in ("yes", "no"):
            raise bad(_("attribute[%(code)s] must be yes or no.", code=code))
    return found


def _person_name(first: str | None, last: str | None) -> str | None:
    if first and last and _CJK.search(first + last):
        return last + first  # 王 + 小明 → 王小明
    return " ".join(p for p in (first, last) if p) or None


def _area_for(address_id: str | None, key: ApiKey) -> Area:
    if address_id is None:
        return key.default_area
    area = db.session.scalar(select(Area).where(Area.code == address_id))  # control characters already removed
    if area is None or area.level == "city":
        raise bad(_("Unknown address_id %(id)s: it must be the code of an area of this portal.",
                    id=address_id))
    return area


def create_request(form, key: ApiKey):
    """POST requests: validate everything first, then report the issue through the issue tracker's service.
    Returns (issue, Open311Request). The caller commits."""
    from app.issues.services import IssueError, description_max, report_issue

    code = clean(form.get("service_code"))
    if code is None:
        raise bad(_("service_code is required. GET services.json lists the codes."))
    category = find_category(code)
    if category is None:
        raise ApiError(404, _("service_code %(code)s was not found. GET services.json lists the codes.",
                              code=code[:40]))

    raw_lat, raw_long = clean(form.get("lat")), clean(form.get("long"))
    lat = lon = None
    if raw_lat is not None or raw_long is not None:
        if raw_lat is None or raw_long is None:
            raise bad(_("lat and long must be sent together."))
        lat = parse_coordinate(raw_lat, "lat", 90)
        lon = parse_coordinate(raw_long, "long", 180)
    address = _limited(form, "address_string", 200)
    address_id = _limited(form, "address_id", 32)
    if lat is None and address is None and address_id is None:
        raise bad(_("A location is required: lat and long, address_string or address_id."))

    description = clean(form.get("description"))
    limit = min(MAX_DESCRIPTION, description_max())
    if description is None:
        raise bad(_("description is required: describe the problem in a few words."))
    if len(description) > limit:
        raise bad(_("description may be at most %(n)d characters long; this one has %(len)d.",
                    n=limit, len=len(description)))
    email = _limited(form, "email", 120)
    if email is not None and not _EMAIL.match(email):
        raise bad(_("email is not a valid e-mail address."))
    phone = _limited(form, "phone", 20)
    first, last = _limited(form, "first_name", 40), _limited(form, "last_name", 40)
    name = _person_name(first, last)
    if name is not None and len(name) > 40:
        raise bad(_("first_name and last_name together may be at most 40 characters long."))
    device_id = _limited(form, "device_id", 100)
    account_id = _limited(form, "account_id", 100)
    media_url = _limited(form, "media_url", 500)
    if media_url is not None and not re.match(r"^https?://[^\s/]+", media_url, re.IGNORECASE):
        raise bad(_("media_url must be an http or https URL."))
    attributes = _attributes(form)
    anonymous = attributes.get(ATTR_ANONYMOUS, ["no"])[0].lower() == "yes"
    area = _area_for(address_id, key)

    token = secrets.token_urlsafe(24)
    try:
        issue = report_issue(reporter=None, category=category, description=description, area=area,
                             address=address, lat=lat, lon=lon, channel="open311", anonymous=anonymous,
                             reporter_name=name, reporter_phone=phone, reporter_email=email, external_id=token)
    except IssueError as e:
        param = PARAMS.get(getattr(e, "field", None) or "")
        message = str(getattr(e, "message", None) or e)
        raise bad(f"{param}: {message}" if param else message) from e
    record = Open311Request(issue_id=issue.id, token=token, api_key_id=key.id,
                            device_id=device_id, account_id=account_id, media_url=media_url,
                            attributes={k: v for k, v in attributes.items()})
    db.session.add(record)
    db.session.flush()
    return issue, record
