"""The city generator (``flask --app wsgi bench generate``) and the SQL statements of the benchmark's key pages.

No timing here: throughput is measured by ``make bench`` (bench/run.py), never asserted in a test.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from sqlalchemy import and_, func, not_, select

from app.extensions import db
from bench.generate import BENCH_ACCOUNTS, BENCH_PASSWORD, SCALES, GenerationRefused, generate
from tests.conftest import Client


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _quiet(*_a, **_k) -> None:
    pass


def test_tiny_city_counts_keys_and_states():
    from app.accounts.models import User
    from app.activities.models import Activity, Attendance
    from app.areas.models import Area
    from app.cobuild.models import STATES as ITEM_STATES
    from app.cobuild.models import ChecklistItem
    from app.issues.models import STATES as ISSUE_STATES
    from app.issues.models import Issue, IssueRating
    from app.organisations.models import Organisation
    from app.points.models import PointBalance, PointEntry
    from app.timeline.models import TimelineEntry
    from app.timeutil import utcnow
    from app.wishes.models import STATES as WISH_STATES
    from app.wishes.models import Wish, WishClaim

    counts = generate("tiny", echo=_quiet)
    sc = SCALES["tiny"]
    now = utcnow()

    # counts as asked
    assert _count(User) == sc.users
    assert _count(Organisation) == sc.organisations
    assert _count(Wish) == sc.wishes
    assert _count(Issue) == sc.issues
    assert _count(Activity) == sc.activities
    assert _count(Attendance) == sc.checkins
    assert _count(Area) == 1 + sc.streets + sc.communities + sc.communities * sc.grids_per_community + sc.microgrids
    assert counts["issue"] == sc.issues
    assert db.session.scalar(select(func.count()).select_from(User).where(User.username.in_(BENCH_ACCOUNTS))) \
        == len(BENCH_ACCOUNTS)

    # every foreign key points at a row
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            target = fk.column
            dangling = db.session.scalar(select(func.count()).select_from(table).where(
                fk.parent.is_not(None), not_(fk.parent.in_(select(target))))) if table.name in counts else 0
            assert dangling == 0, f"{table.name}.{fk.parent.name} → {target.table.name}: {dangling} dangling"

    # every state, and the last timeline entry with a state leads to it
    def last_states(subject_type: str) -> dict[int, str]:
        rows = db.session.execute(select(TimelineEntry.subject_id, TimelineEntry.to_state)
                                  .where(TimelineEntry.subject_type == subject_type,
                                         TimelineEntry.to_state.is_not(None))
                                  .order_by(TimelineEntry.subject_id, TimelineEntry.at, TimelineEntry.id))
        return {sid: state for sid, state in rows}

    wishes = dict(db.session.execute(select(Wish.id, Wish.state)).all())
    assert set(wishes.values()) == set(WISH_STATES)
    assert last_states("wish") == wishes
    claims = Counter(db.session.execute(select(Wish.state, WishClaim.status).join(WishClaim,
                                                                                   WishClaim.wish_id == Wish.id)))
    assert {state for state, _ in claims} == {"claimed", "fulfilled", "completed"}
    assert claims[("completed", "active")] == 0 and claims[("claimed", "done")] == 0
    assert sum(n for (state, _), n in claims.items()) == sum(
        1 for s in wishes.values() if s in ("claimed", "fulfilled", "completed"))
    assert db.session.scalar(select(func.count()).select_from(Wish).where(
        Wish.state == "published", Wish.published_at.is_(None))) == 0

    items = dict(db.session.execute(select(ChecklistItem.id, ChecklistItem.state)).all())
    assert set(items.values()) == set(ITEM_STATES)
    assert last_states("checklist_item") == items

    issues = dict(db.session.execute(select(Issue.id, Issue.state)).all())
    assert set(issues.values()) == set(ISSUE_STATES)
    assert last_states("issue") == issues
    rated = set(db.session.scalars(select(Issue.id).where(Issue.state == "closed", Issue.close_reason == "rated")))
    assert set(db.session.scalars(select(IssueRating.issue_id))) == rated and rated
    # the deadline that matters: set exactly while somebody must act
    wrong_due = db.session.scalar(select(func.count()).select_from(Issue).where(
        (Issue.state.in_(("reported", "accepted", "in_progress")) & Issue.due_at.is_(None))
        | (Issue.state.not_in(("reported", "accepted", "in_progress")) & Issue.due_at.is_not(None))))
    assert wrong_due == 0
    handler_level = db.session.execute(select(Issue.level, Area.level).join(Area, Area.id == Issue.handler_area_id))
    assert all(issue_level == area_level for issue_level, area_level in handler_level)

    # the points ledger agrees with the attested check-ins and with the cached balances
    attested = db.session.execute(select(Attendance.id, Attendance.minutes).join(Activity).where(
        Activity.attested_at.is_not(None))).all()
    entries = dict(db.session.execute(select(PointEntry.source_id, PointEntry.quantity).where(
        PointEntry.source_type == "attendance")).all())
    assert attested and entries == {a: m for a, m in attested}
    sums: dict[int, int] = defaultdict(int)
    for user_id, points in db.session.execute(select(PointEntry.user_id, PointEntry.points)):
        sums[user_id] += points
    assert dict(db.session.execute(select(PointBalance.user_id, PointBalance.points)).all()) == dict(sums)
    assert db.session.scalar(select(func.count()).select_from(Activity).where(
        and_(Activity.attested_at.is_not(None), Activity.ends_at >= Activity.attested_at))) == 0

    # stations: one per community with the three kinds, slots whose count is their live bookings, every booking
    # status and every request state, the request's timeline leading to it
    from app.scenarios.models import Scenario, ScenarioAdoption
    from app.stations.models import (
        BOOKING_STATUSES,
        KINDS,
        REQUEST_STATES,
        Booking,
        ServiceRequest,
        ServiceSlot,
        Station,
        StationService,
    )

    assert _count(Station) == sc.communities
    kinds = Counter(db.session.execute(select(StationService.station_id, StationService.kind)))
    assert set(kinds) == {(s, k) for s in db.session.scalars(select(Station.id)) for k in KINDS}
    assert set(db.session.scalars(select(Booking.status).distinct())) == set(BOOKING_STATUSES)
    live = Counter(db.session.scalars(select(Booking.slot_id).where(Booking.status != "cancelled")))
    slots = dict(db.session.execute(select(ServiceSlot.id, ServiceSlot.booked)).all())
    assert slots and all(slots[s] == live.get(s, 0) for s in slots)
    wrong_booking = db.session.scalar(select(func.count()).select_from(Booking).join(ServiceSlot).where(
        (Booking.starts_at != ServiceSlot.starts_at) | (Booking.service_id != ServiceSlot.service_id)
        | ((Booking.status.in_(("attended", "missed"))) & (Booking.marked_at.is_(None) | (Booking.starts_at > now)))
        | ((Booking.status == "cancelled") & Booking.cancelled_at.is_(None))))
    assert wrong_booking == 0
    requests_ = dict(db.session.execute(select(ServiceRequest.id, ServiceRequest.state)).all())
    assert set(requests_.values()) == set(REQUEST_STATES)
    assert last_states("station_request") == requests_
    wrong_request = db.session.scalar(select(func.count()).select_from(ServiceRequest).where(
        (ServiceRequest.state.in_(("taken", "done", "confirmed")) & ServiceRequest.taker_id.is_(None))
        | (ServiceRequest.state.in_(("open", "withdrawn")) & ServiceRequest.taker_id.is_not(None))
        | ((ServiceRequest.state == "confirmed") & (ServiceRequest.rating.is_(None)
                                                    | ServiceRequest.confirmed_at.is_(None)))
        | ((ServiceRequest.state != "confirmed") & ServiceRequest.rating.is_not(None))
        | (ServiceRequest.state.in_(("done", "confirmed")) & ServiceRequest.done_at.is_(None))))
    assert wrong_request == 0
    assert _count(Scenario) and _count(ScenarioAdoption)

    # moderation: a case in every state, its flags counted, the subject's column to match; the audit log filled
    from app.audit.models import AuditEntry
    from app.moderation.models import CASE_STATES, Flag, ModerationCase

    cases = db.session.scalars(select(ModerationCase)).all()
    assert {c.state for c in cases} == set(CASE_STATES)
    flags = Counter(db.session.scalars(select(Flag.case_id)))
    subjects = {"wish": Wish, "issue": Issue}
    for case in cases:
        assert flags[case.id] == case.flag_count
        subject = db.session.get(subjects[case.subject_type], case.subject_id)
        assert subject.moderation == {"hidden": "hidden", "removed": "removed"}.get(case.state), case.state
        assert (case.hidden_at is None) == (case.state == "flagged")
        assert (case.original is not None) == (case.state == "removed")
        # as the service would have it: the author named as the service names them, and never among the flaggers
        from app.moderation.subjects import kind_for

        authors = kind_for(subject).author_ids(subject)
        assert case.author_id == (authors[0] if authors else None)
        assert not set(db.session.scalars(select(Flag.user_id).where(Flag.case_id == case.id))) & set(authors)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action.like("issue.%"))) > 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "moderation.flagged")) == sum(flags.values())

    # the dashboard's roll-up exists and is what ``dashboard rebuild`` writes
    from app.dashboard.rollup import rebuild, snapshot

    figures = snapshot()
    assert {"issue", "wish", "activity", "attendance"} <= {metric.split(".")[0] for _a, metric, _d, _k in figures}
    city = db.session.scalar(select(Area.id).where(Area.level == "city"))
    received = sum(c for (a, metric, _d, _k), (c, _t) in figures.items() if a == city and metric == "issue.received")
    assert received == sc.issues
    counted = rebuild()
    assert counted["issue"] == sc.issues and snapshot() == figures

    with pytest.raises(GenerationRefused):
        generate("tiny", echo=_quiet)


#: the most SQL statements each key page of the benchmark may send, at town scale (a twentieth of a city) — the
#: same at any scale: a page's statements never grow with the data or the page size
KEY_PAGE_BOUNDS = {
    "wish wall (anonymous)": 2,
    "wish wall (party member)": 5,
    "wish detail": 3,
    "issue list, staff, filtered": 5,
    "leader's queue": 5,
    "home (anonymous)": 0,
    "home (resident)": 10,
    "home (community staff)": 19,
    "home (micro-grid leader)": 11,
    "home (agency admin)": 16,
    "pairing page": 8,
    "activities list": 6,
    "leaderboard": 8,
    "Open311 requests.json": 2,
    "station page (resident)": 12,
    "station queue (staff)": 12,
    "city dashboard, this year": 13,
    "street ranking": 11,
    "public figures (anonymous)": 0,
    "moderation queue (staff)": 7,
    "audit log": 7,
}


def test_key_pages_at_town_scale_send_a_bounded_number_of_statements(app, queries):
    from bench.throughput import key_pages, page_ids

    generate("town", echo=_quiet)
    db.session.commit()
    pages = key_pages(page_ids())
    assert {p.name for p in pages} == set(KEY_PAGE_BOUNDS)
    clients: dict = {}
    seen = {}
    for page in pages:
        c = clients.get(page.account)
        if c is None:
            c = clients[page.account] = Client(app.test_client(), app)
            if page.account:
                c.login(page.account, BENCH_PASSWORD)
        assert c.get(page.url).status_code == 200, page.name
        with queries() as statements:
            response = c.get(page.url)
        assert response.status_code == 200, page.name
        seen[page.name] = len(statements)
    assert {name: n for name, n in seen.items() if n > KEY_PAGE_BOUNDS[name]} == {}, seen
