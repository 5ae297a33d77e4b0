"""Who may see and do what at a station — pure functions for routes and templates (absent buttons) alike.

- Everyone signed in sees the stations and their services (a resident of another community too).
- A resident *uses* a station's services when they live in its community (in one of its micro-grids, when the
  station names the micro-grids it serves).
- The station's community staff set it up, keep its slots, read its day sheet and mark bookings.
- Requests go to the station's queue; they are taken by the community's staff, the micro-grid's "1+1+3" team and
  leaders (of the resident's micro-grid), and the party members who reported to the community (报到, confirmed).
- A resident's bookings and requests are seen by the resident, whoever recorded them (代录), the community staff
  and — for a request — the people who may take it and its taker; never by other residents.
"""
from __future__ import annotations

from app.accounts.scope import LEADER_ROLES, STAFF_ROLES, holds_area_role, is_city_admin, role_areas
from app.stations import queries


def _authed(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_view_station(user, station) -> bool:
    return _authed(user)


def is_station_staff(user, station) -> bool:
    return _authed(user) and holds_area_role(user, STAFF_ROLES, station.community)


def can_set_up_stations(user) -> bool:
    """Community staff (and those above them) open the station set-up form."""
    return _authed(user) and (is_city_admin(user) or bool(role_areas(user, STAFF_ROLES)))


def is_station_recorder(user, station) -> bool:
    """Staff of the community, and leaders of an area inside it, book and request for residents (代录)."""
    if not _authed(user):
        return False
    if is_station_staff(user, station):
        return True
    return any(area.is_within(station.community) for area in role_areas(user, LEADER_ROLES))


def lives_at(user, station) -> bool:
    """The person's home lies in the station's community (in a served micro-grid when it names some)."""
    home = getattr(user, "home_area", None)
    if home is None or not home.is_within(station.community):
        return False
    served = station.microgrids
    return not served or any(home.is_within(m) for m in served)


def can_use_station(user, station) -> bool:
    return _authed(user) and lives_at(user, station)


def can_use_service(user, service) -> bool:
    return service.active and (can_use_station(user, service.station) or is_station_recorder(user, service.station))


def is_request_helper(user, request) -> bool:
    """May take a request of this station: staff, the micro-grid's team and leaders, reported party members."""
    if not _authed(user):
        return False
    if holds_area_role(user, STAFF_ROLES, request.station.community):
        return True
    if holds_area_role(user, LEADER_ROLES, request.area):
        return True
    return queries.is_team_member(user.id, request.area_id) or queries.is_reported_member(
        user.id, request.community_id)


def is_station_helper(user, station) -> bool:
    """Sees the station's queue: its staff, leaders and team members in its community, its reported members."""
    if not _authed(user):
        return False
    if is_station_staff(user, station):
        return True
    if any(area.is_within(station.community) for area in role_areas(user, LEADER_ROLES)):
        return True
    return queries.is_team_member_in(user.id, station.community) or queries.is_reported_member(
        user.id, station.community_id)


def is_request_resident(user, request) -> bool:
    return _authed(user) and request.person_id is not None and request.person_id == user.id


def is_request_taker(user, request) -> bool:
    return _authed(user) and request.taker_id is not None and request.taker_id == user.id


def can_view_request(user, request) -> bool:
    if not _authed(user):
        return False
    return (is_request_resident(user, request) or request.author_id == user.id or is_request_taker(user, request)
            or is_request_helper(user, request))


def can_take_request(user, request) -> bool:
    return request.state == "open" and is_request_helper(user, request)


def can_mark_request_done(user, request) -> bool:
    return request.state == "taken" and (is_request_taker(user, request)
                                         or is_station_staff(user, request.station))


def can_answer_request(user, request) -> bool:
    """Confirm and rate, or say it was not done: the resident, or the recorder for a resident without an account
    (or one who asked them on the phone: staff on their behalf)."""
    if request.state != "done" or not _authed(user):
        return False
    if is_request_resident(user, request):
        return True
    return request.on_behalf and (request.author_id == user.id or is_station_staff(user, request.station))


def can_withdraw_request(user, request) -> bool:
    return request.state == "open" and (is_request_resident(user, request) or request.author_id == user.id)


def can_view_booking(user, booking) -> bool:
    if not _authed(user):
        return False
    return (booking.person_id == user.id or booking.author_id == user.id
            or is_station_staff(user, booking.station))


def can_cancel_booking(user, booking) -> bool:
    return booking.status == "booked" and can_view_booking(user, booking)


def can_mark_booking(user, booking) -> bool:
    return booking.status in ("booked", "attended", "missed") and is_station_staff(user, booking.station)
