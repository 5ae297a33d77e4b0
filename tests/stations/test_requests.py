"""Help and errand requests through HTTP: the closed loop (sent → taken → done → confirmed and rated, or not
done), who sees and does what (403/404 and absent buttons), bad input, events and points."""
from __future__ import annotations

from sqlalchemy import select

from app import events
from app.extensions import db
from app.points.models import PointEntry
from app.points.services import ensure_rules
from app.stations.models import ServiceRequest
from app.timeline.models import TimelineEntry
from tests.stations.helpers import build_station, report_member, request_, send


def _names(captured):
    return [e.name for e in captured if e.name.startswith(("station_request.", "booking."))]


def test_the_closed_loop_with_a_timeline_events_and_points(client, make_client, city):
    ensure_rules()
    built = build_station(city)
    captured = []
    listener = events.on_any(captured.append)
    try:
        client.login("resident_a")
        page = client.get(f"/stations/services/{built.home_help}/request")
        assert page.status_code == 200
        r = client.post(f"/stations/services/{built.home_help}/request", {"note": "Rice and greens, please."})
        assert r.status_code == 303
        req = db.session.scalar(select(ServiceRequest).order_by(ServiceRequest.id.desc()))
        assert req.state == "open" and req.area_id == city.micro_a1.id and req.person_id == city.resident_a.id
        leader = make_client()
        leader.login("leader_a1")
        page = leader.get(f"/stations/requests/{req.id}").get_data(as_text=True)
        assert "I will take it" in page
        assert leader.post(f"/stations/requests/{req.id}/take").status_code == 303
        assert request_(req.id).taker_id == city.leader_a1.id
        r = leader.htmx_post(f"/stations/requests/{req.id}/done", {"done-note": ""})
        assert "Tell the resident in a sentence what was done." in r.get_data(as_text=True)
        assert request_(req.id).state == "taken"
        assert leader.post(f"/stations/requests/{req.id}/done", {"done-note": "Bought and delivered."}).status_code \
            == 303
        page = client.get(f"/stations/requests/{req.id}").get_data(as_text=True)
        assert "Was it done?" in page
        assert client.post(f"/stations/requests/{req.id}/not-done", {"notdone-note": "No greens."}).status_code \
            == 303
        assert request_(req.id).state == "taken"
        leader.post(f"/stations/requests/{req.id}/done", {"done-note": "Greens delivered too."})
        r = client.htmx_post(f"/stations/requests/{req.id}/confirm", {"confirm-rating": ""})
        assert "Please choose how satisfied you are." in r.get_data(as_text=True)
        assert request_(req.id).state == "done"
        assert client.post(f"/stations/requests/{req.id}/confirm", {"confirm-rating": "satisfied",
                                                                    "confirm-comment": "Thanks!"}).status_code == 303
        done = request_(req.id)
        assert done.state == "confirmed" and done.rating == "satisfied" and done.rating_comment == "Thanks!"
    finally:
        from app.events import any_event

        any_event.disconnect(listener)
    assert _names(captured) == ["station_request.sent", "station_request.taken", "station_request.done",
                                "station_request.not_done", "station_request.done", "station_request.confirmed"]
    actions = list(db.session.scalars(select(TimelineEntry.action).where(
        TimelineEntry.subject_type == "station_request", TimelineEntry.subject_id == req.id)
        .order_by(TimelineEntry.id)))
    assert actions == ["sent", "taken", "done", "not_done", "done", "confirmed"]
    award = db.session.scalar(select(PointEntry).where(PointEntry.source_type == "station_request",
                                                       PointEntry.source_id == req.id))
    assert award is not None and award.user_id == city.leader_a1.id and award.points == 10


def test_a_reported_party_member_takes_a_request_and_the_team_sees_the_queue(client, city):
    built = build_station(city)
    rid = send(city, built)
    client.login("member_a")
    assert client.get(f"/stations/requests/{rid}").status_code == 404  # not reported here yet
    assert client.get(f"/stations/{built.station}/queue").status_code == 403
    report_member(city, city.member_a, city.comm_a)
    assert client.get(f"/stations/{built.station}/queue").status_code == 200
    assert "Shopping" in client.get(f"/stations/{built.station}/queue").get_data(as_text=True)
    assert client.post(f"/stations/requests/{rid}/take").status_code == 303
    assert request_(rid).taker_id == city.member_a.id


def test_who_sees_and_who_handles(client, make_client, city):
    built = build_station(city)
    rid = send(city, built)
    # a neighbour never sees another resident's request
    neighbour = make_client()
    neighbour.login("resident_a2")
    assert neighbour.get(f"/stations/requests/{rid}").status_code == 404
    assert neighbour.post(f"/stations/requests/{rid}/take").status_code == 404
    assert neighbour.get(f"/stations/{built.station}/queue").status_code == 403
    # staff of another community cannot see or handle it
    other = make_client()
    other.login("staff_b")
    assert other.get(f"/stations/requests/{rid}").status_code == 404
    assert other.post(f"/stations/requests/{rid}/take").status_code == 404
    assert other.get(f"/stations/{built.station}/queue").status_code == 403
    # the resident sees it but takes nothing, and sees no take button
    client.login("resident_a")
    page = client.get(f"/stations/requests/{rid}").get_data(as_text=True)
    assert "I will take it" not in page and "Withdraw my request" in page
    assert client.post(f"/stations/requests/{rid}/take").status_code == 403
    # the leader of another micro-grid of the same community neither sees nor takes it, not even in the queue
    leader2 = make_client()
    leader2.login("leader_a2")
    assert leader2.get(f"/stations/requests/{rid}").status_code == 404
    queue = leader2.get(f"/stations/{built.station}/queue")
    assert queue.status_code == 200 and f'id="request-{rid}"' not in queue.get_data(as_text=True)
    own = make_client()
    own.login("leader_a1")
    assert f'id="request-{rid}"' in own.get(f"/stations/{built.station}/queue").get_data(as_text=True)
    # staff take it; another helper then cannot mark it done
    staff = make_client()
    staff.login("staff_a")
    assert staff.post(f"/stations/requests/{rid}/take").status_code == 303
    leader = make_client()
    leader.login("leader_a1")
    page = leader.get(f"/stations/requests/{rid}").get_data(as_text=True)
    assert "Mark as done" not in page and "I will take it" not in page
    assert leader.post(f"/stations/requests/{rid}/done", {"done-note": "x"}).status_code == 403
    assert request_(rid).state == "taken"
    # the resident cannot confirm before it is done
    r = client.htmx_post(f"/stations/requests/{rid}/confirm", {"confirm-rating": "satisfied"})
    assert r.status_code == 200 and "This request is not waiting for an answer." in r.get_data(as_text=True)
    assert request_(rid).state == "taken"


def test_a_request_to_another_communitys_station_is_refused_where_it_was_sent(client, city):
    built = build_station(city)
    client.login("resident_b")
    page = client.get(f"/stations/services/{built.home_help}/request")
    assert page.status_code == 200
    assert "Please use the station of your own community." in page.get_data(as_text=True)
    r = client.post(f"/stations/services/{built.home_help}/request", {"note": "Help me"})
    assert r.status_code == 200
    assert "Please use the station of your own community." in r.get_data(as_text=True)
    assert db.session.scalar(select(ServiceRequest.id)) is None


def test_a_ten_thousand_character_note_is_refused_clearly(client, city):
    built = build_station(city)
    client.login("resident_a")
    r = client.post(f"/stations/services/{built.errand}/request", {"note": "长" * 10_000})
    assert r.status_code == 200
    assert "Please keep the note to 500 characters (it has 10000)." in r.get_data(as_text=True)
    assert db.session.scalar(select(ServiceRequest.id)) is None
    r = client.post(f"/stations/services/{built.errand}/request", {"note": "   "})
    assert "Please say in a sentence what you need." in r.get_data(as_text=True)


def test_an_appointment_service_takes_no_requests(client, city):
    built = build_station(city)
    client.login("resident_a")
    assert client.get(f"/stations/services/{built.appointment}/request").status_code == 404


def test_a_leader_records_a_request_for_a_resident(client, city):
    built = build_station(city)
    client.login("leader_a1")
    r = client.post(f"/stations/services/{built.errand}/request", {
        "note": "Pension certification at home.", "resident": "resident_a"})
    assert r.status_code == 303
    req = db.session.scalar(select(ServiceRequest))
    assert req.on_behalf and req.person_id == city.resident_a.id and req.author_id == city.leader_a1.id
    entry = db.session.scalar(select(TimelineEntry).where(TimelineEntry.subject_type == "station_request"))
    assert entry.action == "recorded" and entry.on_behalf_of_id == city.resident_a.id
    r = client.post(f"/stations/services/{built.errand}/request", {"note": "Again", "resident": "resident_b"})
    assert r.status_code == 200
    assert "No resident with this username or mobile number in your area." in r.get_data(as_text=True)


def test_a_photo_that_is_not_an_image_is_refused(client, city):
    import io

    built = build_station(city)
    client.login("resident_a")
    r = client.post(f"/stations/services/{built.home_help}/request",
                    {"note": "Help", "photo": (io.BytesIO(b"not an image"), "x.jpg")},
                    content_type="multipart/form-data")
    assert r.status_code == 200
    assert "Only JPEG, PNG or WebP photos are accepted." in r.get_data(as_text=True)
    assert db.session.scalar(select(ServiceRequest.id)) is None


def test_withdraw_while_waiting_only(client, make_client, city):
    built = build_station(city)
    rid = send(city, built)
    staff = make_client()
    staff.login("staff_a")
    staff.post(f"/stations/requests/{rid}/take")
    client.login("resident_a")
    r = client.htmx_post(f"/stations/requests/{rid}/withdraw")
    assert r.status_code == 200
    assert "A request can be withdrawn only while it waits for a helper." in r.get_data(as_text=True)
    assert request_(rid).state == "taken"
    rid2 = send(city, built)
    assert client.post(f"/stations/requests/{rid2}/withdraw").status_code == 303
    assert request_(rid2).state == "withdrawn"


def test_home_cards_ask_the_right_people(client, make_client, city):
    built = build_station(city)
    rid = send(city, built)
    staff = make_client()
    staff.login("staff_a")
    home = staff.get("/").get_data(as_text=True)
    assert "Station requests waiting for a helper" in home
    # every request the card counts is at one station: the card opens that station's queue, which staff may see
    queue = f"/stations/{built.station}/queue?state=open"
    assert f'href="{queue}"' in home and staff.get(queue).status_code == 200
    staff.post(f"/stations/requests/{rid}/take")
    home = staff.get("/").get_data(as_text=True)
    assert "Station requests you took" in home
    assert f'href="/stations/{built.station}/queue?state=taken"' in home
    staff.post(f"/stations/requests/{rid}/done", {"done-note": "Done."})
    client.login("resident_a")
    assert "Please confirm and rate" in client.get("/").get_data(as_text=True)
