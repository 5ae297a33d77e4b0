"""The roll-up kept by the event subscribers equals a rebuild from the source tables, after any sequence of real
service calls; a rebuild run twice changes nothing."""
from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.cobuild import services as cobuild
from app.cobuild.models import ChecklistItem
from app.cobuild.services import ItemInput
from app.dashboard import rollup
from app.errors import DomainError
from app.extensions import db
from app.issues import services as issues
from app.issues.models import Issue
from app.members import services as members
from app.members.models import MemberReport
from app.stations import services as stations
from app.stations.models import Booking, ServiceRequest, ServiceSlot, Station, StationService
from app.timeutil import local_today
from app.wishes import services as wishes
from app.wishes.models import Wish
from app.wishes.services import WishInput

OPS = ("report", "accept", "reject", "start", "resolve", "rate_ok", "rate_bad", "escalate",
       "post", "approve", "claim", "release", "fulfil", "confirm", "withdraw",
       "member_report", "member_confirm", "member_refuse",
       "item_propose", "item_agree", "item_done", "item_evaluate", "item_cancel",
       "st_send", "st_take", "st_done", "st_confirm", "st_not_done", "st_withdraw",
       "st_book", "st_cancel", "st_attended", "st_missed")


def _reporter(c, area):
    return {c.micro_a1.id: c.resident_a, c.micro_a2.id: c.resident_a2, c.micro_b1.id: c.resident_b}[area.id]


def _one(model, state_in, pick):
    ids = list(db.session.scalars(select(model.id).where(model.state.in_(state_in)).order_by(model.id)))
    return db.session.get(model, ids[pick % len(ids)]) if ids else None


def _station_of(c, community, staff) -> Station:
    """The community's station with a help service and a coming slot (made once, through the services)."""
    station = db.session.scalar(select(Station).where(Station.community_id == community.id))
    if station is not None:
        return station
    station = stations.create_station(staff, community, stations.StationInput(
        name=f"Station {community.name}", place="Building 8", opening_hours="8:30–17:00"))
    stations.add_service(station, staff, stations.ServiceInput(kind="home_help", name="Shopping",
                                                               description="We shop.", limit_hours="24"))
    appt = stations.add_service(station, staff, stations.ServiceInput(kind="appointment", name="Check",
                                                                      description="A check.", limit_hours="2"))
    stations.add_slots(appt, staff, stations.SlotInput(day=(local_today() + timedelta(days=2)).isoformat(),
                                                       start="09:00", end="10:00", length="30", capacity="3"))
    return station


def _station_staff(c, station_or_community_id: int):
    return c.staff_b if station_or_community_id == c.comm_b.id else c.staff_a


def _stations_do(c, op: str, pick: int) -> None:
    person = (c.resident_a, c.resident_a2, c.resident_b)[pick % 3]
    community, staff = (c.comm_b, c.staff_b) if person is c.resident_b else (c.comm_a, c.staff_a)
    if op == "st_send":
        station = _station_of(c, community, staff)
        service = db.session.scalar(select(StationService).where(StationService.station_id == station.id,
                                                                 StationService.kind == "home_help"))
        stations.send_request(service, person, stations.beneficiary(person, station), f"Help {pick}")
    elif op == "st_book":
        station = _station_of(c, community, staff)
        slots = list(db.session.scalars(select(ServiceSlot).where(ServiceSlot.station_id == station.id)
                                        .order_by(ServiceSlot.id)))
        stations.book(slots[pick % len(slots)], person, stations.beneficiary(person, station))
    elif op in ("st_take", "st_done", "st_confirm", "st_not_done", "st_withdraw"):
        state = {"st_take": "open", "st_done": "taken", "st_withdraw": "open"}.get(op, "done")
        req = _one(ServiceRequest, (state,), pick)
        if req is None:
            return
        if op == "st_take":
            stations.take(req, _station_staff(c, req.community_id))
        elif op == "st_done":
            stations.mark_done(req, req.taker, "Done")
        elif op == "st_confirm":
            stations.confirm(req, req.person, "satisfied", None)
        elif op == "st_not_done":
            stations.not_done(req, req.person, "Nothing came")
        else:
            stations.withdraw(req, req.person)
    else:
        statuses = ("booked",) if op == "st_cancel" else ("booked", "attended", "missed")
        ids = list(db.session.scalars(select(Booking.id).where(Booking.status.in_(statuses)).order_by(Booking.id)))
        if not ids:
            return
        booking = db.session.get(Booking, ids[pick % len(ids)])
        staff_ = _station_staff(c, booking.station.community_id)
        if op == "st_cancel":
            stations.cancel_booking(booking, staff_)
        else:
            stations.mark_booking(booking, staff_, "attended" if op == "st_attended" else "missed",
                                  now=booking.starts_at + timedelta(minutes=5))


def _do(c, cats, op: str, pick: int) -> None:
    if op.startswith("st_"):
        _stations_do(c, op, pick)
        return
    areas = [c.micro_a1, c.micro_a2, c.micro_b1]
    staff = c.street_admin_a
    if op == "report":
        area = areas[pick % 3]
        code = ("street_light", "sanitation", "noise")[pick % 3]
        issues.report_issue(reporter=_reporter(c, area), category=cats[code], description=f"Problem {pick}",
                            area=area)
    elif op in ("accept", "reject"):
        issue = _one(Issue, ("reported",), pick)
        if issue is not None:
            handler = c.staff_b if issue.area_id == c.micro_b1.id else staff
            (issues.accept(issue, handler) if op == "accept" else issues.reject(issue, handler, "Not ours"))
    elif op == "start":
        issue = _one(Issue, ("accepted",), pick)
        if issue is not None:
            issues.start(issue, c.admin)
    elif op == "resolve":
        issue = _one(Issue, ("accepted", "in_progress"), pick)
        if issue is not None:
            issues.resolve(issue, c.admin, "Fixed")
    elif op in ("rate_ok", "rate_bad"):
        issue = _one(Issue, ("resolved",), pick)
        if issue is not None:
            issues.rate(issue, issue.reporter, "satisfied" if op == "rate_ok" else "unsatisfied",
                        None if op == "rate_ok" else "Still broken")
    elif op == "escalate":
        issue = _one(Issue, ("reported", "accepted", "in_progress"), pick)
        if issue is not None:
            issues.escalate(issue, c.admin, "Needs the community")
    elif op == "post":
        wisher = (c.resident_a, c.resident_a2, c.resident_b)[pick % 3]
        wishes.post_wish(wisher, WishInput(category="study", title=f"Wish {pick}", description="A lamp please",
                                           value=50, wanted_by=local_today() + timedelta(days=20)))
    elif op == "approve":
        wish = _one(Wish, ("pending",), pick)
        if wish is not None:
            wishes.approve(wish, c.admin)
    elif op == "claim":
        wish = _one(Wish, ("published",), pick)
        if wish is not None:
            wishes.claim(wish, c.member_b if wish.wisher_id != c.member_b.id else c.member_a)
    elif op == "release":
        wish = _one(Wish, ("claimed",), pick)
        if wish is not None:
            wishes.release(wish, c.admin, "Could not make it")
    elif op == "fulfil":
        wish = _one(Wish, ("claimed",), pick)
        if wish is not None:
            claim = wish.active_claim
            wishes.fulfil(wish, claim.claimant, "Delivered")
    elif op == "confirm":
        wish = _one(Wish, ("fulfilled",), pick)
        if wish is not None:
            wishes.confirm(wish, wish.wisher, "Thanks")
    elif op == "withdraw":
        wish = _one(Wish, ("pending", "published"), pick)
        if wish is not None:
            wishes.withdraw(wish, wish.wisher)
    elif op == "member_report":
        member, area = ((c.member_a, c.micro_a2), (c.member_b, c.micro_b1))[pick % 2]
        members.report(member, area, "Building 3", ["volunteering"], "")
    elif op in ("member_confirm", "member_refuse"):
        row = _one(MemberReport, ("pending",), pick)
        if row is not None:
            staff_ = c.staff_b if row.community_id == c.comm_b.id else c.staff_a
            (members.confirm(row, staff_) if op == "member_confirm" else members.refuse(row, staff_, "Not here"))
    elif op == "item_propose":
        pairing, actor = ((c.pairing_a, c.staff_a), (c.pairing_a, c.agency_admin_a), (c.pairing_b, c.staff_b))[pick % 3]
        cobuild.propose(actor, pairing, "need", ItemInput(title=f"Need {pick}", description="Chairs",
                                                         target_date=local_today() + timedelta(days=30)))
    elif op == "item_agree":
        item = _one(ChecklistItem, ("proposed",), pick)
        if item is not None:
            a = c.pairing_a.id == item.pairing_id
            other = (c.agency_admin_a if a else c.agency_admin_b) if item.agency_agreed_at is None else (
                c.staff_a if a else c.staff_b)
            cobuild.agree(other, item)
    elif op == "item_done":
        item = _one(ChecklistItem, ("agreed", "in_progress"), pick)
        if item is not None:
            cobuild.mark_done(c.agency_admin_a if item.pairing_id == c.pairing_a.id else c.agency_admin_b, item,
                              "Delivered")
    elif op == "item_evaluate":
        item = _one(ChecklistItem, ("done",), pick)
        if item is not None:
            cobuild.evaluate(c.staff_a if item.pairing_id == c.pairing_a.id else c.staff_b, item, 1 + pick % 5, "ok")
    elif op == "item_cancel":
        item = _one(ChecklistItem, ("proposed", "agreed"), pick)
        if item is not None:
            cobuild.cancel(c.staff_a if item.pairing_id == c.pairing_a.id else c.staff_b, item, "No longer needed")


def _run(c, cats, steps) -> None:
    for op, pick in steps:  # one request each: commit, or roll back what a refusal left
        try:
            _do(c, cats, op, pick)
            db.session.commit()
        except DomainError:
            db.session.rollback()
        db.session.expire_all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          derandomize=True)
@given(steps=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 50)), min_size=5, max_size=40))
def test_incremental_roll_up_equals_a_rebuild(city, cats, steps):
    rollup.rebuild()
    _run(city, cats, steps)
    incremental = rollup.snapshot()
    # the monthly rows are always the daily rows added up per month (incrementally as after a rebuild)
    incremental_months = rollup.monthly_snapshot()
    assert incremental_months == rollup.months_of(incremental)
    rollup.rebuild()
    rebuilt = rollup.snapshot()
    assert incremental == rebuilt
    assert rollup.monthly_snapshot() == incremental_months
    rollup.rebuild()
    assert rollup.snapshot() == rebuilt


def test_a_fixed_journey_is_counted_in_every_area_above(city, cats):
    rollup.rebuild()
    steps = [("report", 0), ("report", 1), ("report", 2), ("accept", 0), ("resolve", 0), ("rate_ok", 0),
             ("post", 0), ("approve", 0), ("claim", 0), ("fulfil", 0), ("confirm", 0)]
    _run(city, cats, steps)
    rows = rollup.snapshot()
    day = next(k[2] for k in rows)
    for area, received in ((city.city, 3), (city.street_a, 2), (city.comm_a, 2), (city.micro_a1, 1),
                           (city.street_b, 1)):
        assert rows[(area.id, "issue.received", day, "")] == (received, 0), area.name
    assert rows[(city.city.id, "issue.resolved", day, "")] == (1, 0)
    assert rows[(city.comm_a.id, "wish.completed", day, "")] == (1, 0)
    rollup.rebuild()
    assert rollup.snapshot() == rows


def test_a_station_journey_is_counted_in_every_area_above(city, cats):
    rollup.rebuild()
    steps = [("st_send", 0), ("st_send", 2), ("st_take", 0), ("st_take", 0), ("st_done", 0), ("st_done", 0),
             ("st_not_done", 0), ("st_done", 0), ("st_confirm", 0), ("st_confirm", 0),
             ("st_book", 0), ("st_attended", 0)]
    _run(city, cats, steps)
    rows = rollup.snapshot()
    day = local_today()
    booked_day = next(k[2] for k in rows if k[1] == "station.delivered" and k[3] == "booking")
    assert rows[(city.city.id, "station.delivered", day, "request")] == (2, 0)
    assert rows[(city.micro_a1.id, "station.delivered", day, "request")] == (1, 0)
    assert rows[(city.street_b.id, "station.delivered", day, "request")] == (1, 0)
    assert rows[(city.comm_a.id, "station.delivered", booked_day, "booking")] == (1, 0)
    assert (city.micro_a1.id, "station.delivered", booked_day, "booking") not in rows
    _run(city, cats, [("st_missed", 0)])  # the attendance corrected: no longer a service delivered
    assert (city.comm_a.id, "station.delivered", booked_day, "booking") not in rollup.snapshot()
    assert rollup.monthly_snapshot() == rollup.months_of(rollup.snapshot())
    rows = rollup.snapshot()
    rollup.rebuild()
    assert rollup.snapshot() == rows
