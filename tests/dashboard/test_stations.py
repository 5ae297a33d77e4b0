"""Station services delivered on the dashboard and on /figures/: a hand-built city whose answers are known,
driven through the stations' services."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.dashboard import queries, rollup
from app.dashboard.periods import Period
from app.extensions import db
from app.stations import services as st
from app.stations.models import ServiceSlot
from app.timeutil import local_date_to_utc

OCT = Period("custom", date(2026, 10, 1), date(2026, 10, 31))
NOV = Period("custom", date(2026, 11, 1), date(2026, 11, 30))
OCT_ARGS = "period=custom&start=2026-10-01&end=2026-10-31"


def at(day: int, hour: int = 10, month: int = 10) -> datetime:
    """Local (Beijing) time on a day of 2026, as naive UTC."""
    return local_date_to_utc(date(2026, month, day)) + timedelta(hours=hour)


def _station(staff, community, name):
    station = st.create_station(staff, community, st.StationInput(name=name, place="Building 8",
                                                                  opening_hours="Mon–Sat 8:30–17:00"))
    appointment = st.add_service(station, staff, st.ServiceInput(kind="appointment", name="Blood pressure",
                                                                 description="A doctor checks it.", limit_hours="2"))
    home_help = st.add_service(station, staff, st.ServiceInput(kind="home_help", name="Shopping",
                                                               description="We shop for you.", limit_hours="24"))
    errand = st.add_service(station, staff, st.ServiceInput(kind="errand", name="Pension check",
                                                            documents="ID card", limit_hours="72"))
    return station, appointment, home_help, errand


def _slot(service, starts: datetime) -> ServiceSlot:
    """A past slot (opening slots through the service accepts only coming days)."""
    slot = ServiceSlot(service_id=service.id, station_id=service.station_id, starts_at=starts,
                       ends_at=starts + timedelta(minutes=30), capacity=5, booked=0, created_at=starts)
    db.session.add(slot)
    db.session.flush()
    return slot


def _request(service, person, taker, sent: datetime, done: datetime, confirmed: datetime | None):
    req = st.send_request(service, person, st.beneficiary(person, service.station), "Please help", now=sent)
    st.take(req, taker, now=sent + timedelta(hours=1))
    st.mark_done(req, taker, "Done it", now=done)
    if confirmed is not None:
        st.confirm(req, person, "satisfied", None, now=confirmed)
    db.session.commit()
    return req


def _book(slot, person, staff, status: str | None, booked: datetime, **who):
    b = st.book(slot, person if not who else staff, who.get("who") or st.beneficiary(person, slot.service.station),
                now=booked)
    if status is not None:
        st.mark_booking(b, staff, status, now=slot.starts_at + timedelta(minutes=10))
    db.session.commit()
    return b


@pytest.fixture
def delivered(city):
    c = city
    station_a, appt_a, help_a, errand_a = _station(c.staff_a, c.comm_a, "Station A")
    station_b, appt_b, help_b, _errand_b = _station(c.staff_b, c.comm_b, "Station B")
    db.session.commit()
    # Community A (street A): R1 done in time, confirmed 6 Oct; R2 done after its 72 h limit, confirmed 12 Oct;
    # R3 done but not confirmed; R4 confirmed just after midnight on 1 Nov (Beijing time)
    _request(help_a, c.resident_a, c.staff_a, at(5), at(5, 20), at(6))
    _request(errand_a, c.resident_a, c.staff_a, at(7), at(12), at(12, 12))
    _request(help_a, c.resident_a2, c.staff_a, at(8), at(8, 12), None)
    _request(help_a, c.resident_a, c.staff_a, at(30), at(31, 10), at(1, 0, month=11) + timedelta(minutes=30))
    # bookings on 10 Oct: one attended, one missed, one attended then corrected to missed, one still booked
    slot_a = _slot(appt_a, at(10, 9))
    _book(slot_a, c.resident_a, c.staff_a, "attended", at(1))
    _book(slot_a, c.resident_a2, c.staff_a, "missed", at(1))
    corrected = _book(slot_a, None, c.staff_a, "attended", at(1), who=st.beneficiary(
        c.staff_a, station_a, subject_name="Old Zhao", subject_contact="Room 101"))
    st.mark_booking(corrected, c.staff_a, "missed", now=at(10, 11))
    db.session.commit()
    _book(_slot(appt_a, at(11, 9)), c.resident_a, c.staff_a, None, at(1))
    # Community B (street B): one request confirmed 16 Oct, one booking attended 15 Oct
    _request(help_b, c.resident_b, c.staff_b, at(14), at(14, 20), at(16))
    _book(_slot(appt_b, at(15, 9)), c.resident_b, c.staff_b, "attended", at(1))
    return c


def _station_figures(area, period):
    s = queries.summary(area, period)
    return (s.station_requests_delivered, s.station_bookings_attended, s.station_delivered, s.station_in_time)


def test_services_delivered_per_community_street_and_period(delivered):
    c = delivered
    assert _station_figures(c.comm_a, OCT) == (2, 1, 3, 1)
    assert _station_figures(c.street_a, OCT) == (2, 1, 3, 1)
    # a request counts where the resident lives; a booking names only the station's community
    assert _station_figures(c.micro_a1, OCT) == (2, 0, 2, 1)
    assert _station_figures(c.comm_a2, OCT) == (0, 0, 0, 0)
    assert _station_figures(c.comm_b, OCT) == (1, 1, 2, 1)
    assert _station_figures(c.street_b, OCT) == (1, 1, 2, 1)
    assert _station_figures(c.city, OCT) == (3, 2, 5, 2)
    assert queries.summary(c.street_a, OCT).station_in_time_rate == pytest.approx(0.5)
    assert _station_figures(c.street_a, NOV) == (1, 0, 1, 1)
    kids = queries.children_figures([c.comm_a.id, c.comm_a2.id], OCT)
    assert queries.Summary(kids[c.comm_a.id]).station_delivered == 3
    # the rebuild counts the same
    before = rollup.snapshot()
    rollup.rebuild()
    assert rollup.snapshot() == before


def test_the_dashboard_shows_the_station_section_with_an_open_link(delivered, client):
    c = delivered
    for who, area in (("street_a", c.street_a), ("staff_a", c.comm_a)):
        client.login(who)
        r = client.get(f"/dashboard/{area.id}?{OCT_ARGS}")
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        assert "Station services delivered" in html and "Appointments attended" in html
        assert "50.0%" in html and "marked attended" in html
        assert 'href="/stations/"' in html
        assert client.get("/stations/").status_code == 200  # the list behind the figure opens for this viewer
        client.logout()


def test_figures_show_services_delivered_per_street_and_community(delivered, client):
    c = delivered
    r = client.get(f"/figures/?{OCT_ARGS}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Services delivered" in html
    table = html[html.index('id="figures"'):]
    row_a = table[table.index("Street A"):]
    assert '<td class="num">3</td></tr>' in row_a[:row_a.index("</tr>") + 5]
    row_b = table[table.index("Street B"):]
    assert '<td class="num">2</td></tr>' in row_b[:row_b.index("</tr>") + 5]
    r = client.get(f"/figures/{c.street_a.id}?{OCT_ARGS}")
    table = r.get_data(as_text=True)
    table = table[table.index('id="figures"'):]
    row = table[table.index(">Community A<"):]
    assert '<td class="num">3</td></tr>' in row[:row.index("</tr>") + 5]
    row = table[table.index(">Community A2<"):]
    assert '<td class="num">0</td></tr>' in row[:row.index("</tr>") + 5]
