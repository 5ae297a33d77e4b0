"""What a week of real use found on the issue pages: the place chosen is the place filed, a round trip without
JavaScript keeps what was typed and says what it cannot keep, refusals are shown at the action (and a plain form
goes back to the issue's own URL), no empty handling card, and words a resident understands."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.issues import services as s
from app.issues.models import Issue


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Issue))


def the_form(page: str, action: str) -> str:
    """The markup of the action's form (``id="act-<action>"``)."""
    match = re.search(rf'<form id="act-{action}".*?</form>', page, re.S)
    assert match, f"no form for {action}"
    return match.group(0)


# -- the place ------------------------------------------------------------------------------------------------
def test_a_place_chosen_in_the_lists_wins_over_where_i_live(client, city, cats):
    """With JavaScript the lists are live while "Where I live" is still ticked: the place chosen is the place."""
    client.login("resident_a")  # lives in Micro A1
    r = client.post("/issues/new", {"category": "noise", "description": "Dogs barking", "place": "home",
                                     "street": city.street_a.id, "community": city.comm_a.id, "grid": city.grid_a.id,
                                     "area_id": city.micro_a2.id})
    assert r.status_code == 303
    assert db.session.scalars(select(Issue)).one().area_id == city.micro_a2.id


def test_lists_begun_but_not_finished_are_not_where_i_live(client, city, cats):
    client.login("resident_a")
    r = client.post("/issues/new", {"category": "noise", "description": "Dogs barking", "place": "home",
                                     "street": city.street_a.id, "community": city.comm_a.id})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and count() == 0
    assert "Choose the place in the lists down to the last one" in page
    assert re.search(r'id="place-pick"[^>]*checked', page)  # the radio shows the choice that counts
    # nothing chosen in the lists: where I live, as before
    r = client.post("/issues/new", {"category": "noise", "description": "Dogs barking", "place": "home"})
    assert r.status_code == 303 and db.session.scalars(select(Issue)).one().area_id == city.micro_a1.id


def test_round_trip_without_javascript_keeps_the_text_and_says_photos_must_be_chosen_again(client, city, cats,
                                                                                             jpeg):
    client.login("resident_a")
    r = client.post("/issues/new", {"action": "pick", "category": "noise", "description": "Dogs barking at night",
                                     "address": "Gate 3", "place": "pick", "street": city.street_a.id,
                                     "photos": [jpeg("a.jpg")]}, content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and count() == 0
    assert "Dogs barking at night" in page and 'value="Gate 3"' in page
    assert re.search(r'value="noise"[^>]*checked', page)
    assert "The photos you chose were not kept when the page was updated: choose them again." in page
    photo_field = page[page.index('id="photos-dropped"') - 200:page.index('name="photos"')]
    assert 'role="alert"' in photo_field  # next to the photo field, not at the top of the form
    # no photo chosen: nothing to say
    r = client.post("/issues/new", {"action": "pick", "category": "noise", "description": "Dogs",
                                     "place": "pick", "street": city.street_a.id})
    assert "were not kept" not in r.get_data(as_text=True)


def test_quick_report_names_the_community_of_each_place(client, city, cats):
    client.login("rider")  # sentinel on Street A: two communities
    page = client.get("/issues/quick").get_data(as_text=True)
    assert ">Community A · Grid A · Micro A1</option>" in page
    assert ">Community A2 · Grid A2 · Micro A3</option>" in page


# -- refusals at the action ---------------------------------------------------------------------------------
@pytest.fixture
def resolved(city, file_issue):
    issue = file_issue(city.resident_a, city.micro_a1, "street_light", "Lamp out")
    s.accept(issue, city.leader_a1)
    s.resolve(issue, city.leader_a1, "New bulb")
    db.session.commit()
    return issue


def test_plain_refused_rating_goes_back_to_the_issue_with_the_message_at_the_field(client, city, resolved):
    client.login("resident_a")
    r = client.post(f"/issues/{resolved.id}/rate", {"comment": "Hmm, still flickers"})
    assert r.status_code == 303 and r.headers["Location"] == f"/issues/{resolved.id}#act-rate"
    page = client.get(f"/issues/{resolved.id}").get_data(as_text=True)
    form = the_form(page, "rate")
    assert "Choose how satisfied you are." in form and 'data-focus-error' in form
    assert "Hmm, still flickers" in form  # what was typed is still there
    assert 'id="handling"' not in page  # a resident sees no (empty) handling card
    # shown once: a reload is the plain page, and nothing was sent again
    again = client.get(f"/issues/{resolved.id}").get_data(as_text=True)
    assert "Choose how satisfied you are." not in again
    db.session.expire_all()
    assert db.session.get(Issue, resolved.id).state == "resolved"


def test_htmx_refusal_is_marked_and_placed_at_the_action(client, city, file_issue):
    issue = file_issue(city.resident_a, city.micro_a1, "street_light", "Lamp out")
    client.login("leader_a1")
    r = client.htmx_post(f"/issues/{issue.id}/escalate", {"reason": ""})
    assert r.status_code == 200
    form = the_form(r.get_data(as_text=True), "escalate")
    assert re.search(r'<p class="alert" role="alert" data-focus-error tabindex="-1">Give the reason for escalating',
                     form)
    assert "<details class=\"action\" open>" in r.get_data(as_text=True)
    client.logout()
    client.login("resident_a")
    s.accept(issue, city.leader_a1)
    s.resolve(issue, city.leader_a1, "Fixed")
    db.session.commit()
    body = client.htmx_post(f"/issues/{issue.id}/rate", {}).get_data(as_text=True)
    assert "data-focus-error" in the_form(body, "rate") and 'id="handling"' not in body


# -- words ----------------------------------------------------------------------------------------------------
def test_unsatisfied_rating_says_the_issue_was_reopened(client, city, resolved):
    client.login("resident_a")
    r = client.post(f"/issues/{resolved.id}/rate", {"value": "unsatisfied", "comment": "Still dark"},
                    follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "The issue is reopened" in page and "Thank you for your rating." not in page
    db.session.expire_all()
    assert db.session.get(Issue, resolved.id).state == "in_progress"


def test_unsatisfied_rating_in_chinese(client, city, resolved):
    client.login("resident_a")
    r = client.post(f"/issues/{resolved.id}/rate", {"value": "unsatisfied", "comment": "还是不亮"},
                    headers={"Accept-Language": "zh-CN"}, follow_redirects=True)
    assert "该诉求已重新打开" in r.get_data(as_text=True)


def test_staff_recording_for_a_resident_is_not_thanked_as_the_reporter(client, city, cats):
    client.login("staff_a")
    r = client.post("/issues/new", {"category": "noise", "description": "Dogs", "place": "pick",
                                     "area_id": city.micro_a1.id, "channel": "phone",
                                     "resident_name": "Grandma Liu"}, follow_redirects=True)
    page = r.get_data(as_text=True)
    issue = db.session.scalars(select(Issue)).one()
    assert f"Recorded for G* as report number {issue.id}." in page
    assert "Thank you. Your report" not in page


def test_open311_channel_in_plain_words_for_residents(client, city, cats):
    issue = s.report_issue(reporter=None, category=cats["street_light"], description="Lamp out",
                           area=city.micro_a1, channel="open311", reporter_name="Zhang")
    db.session.commit()
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "City service platform or another app" in page and "Open311" not in page
    client.login("staff_a")
    assert "Open311 app" in client.get(f"/issues/{issue.id}").get_data(as_text=True)
