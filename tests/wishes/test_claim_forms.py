"""The claim form for an admin of several branches, the claims list (staff only), and every POST on a wish's page
as a plain form (303 + flash) and, where htmx is used, as a fragment."""
from __future__ import annotations

import re

import pytest

from app.accounts.services import grant_role
from app.extensions import db
from tests.factories import make_user
from tests.wishes.helpers import active_claims, get_wish, make_wish

CARD_MAX_BYTES = 8 * 1024


def body(r):
    return r.get_data(as_text=True)


def two_branch_admin(city):
    """An agency admin of both branches (no party-member role of their own)."""
    user = make_user("agency_ab", roles=[("agency_admin", city.agency_a)])
    grant_role(user, "agency_admin", organisation=city.agency_b)
    db.session.commit()
    return user


def client_as(make_client, username):
    c = make_client()
    c.login(username)
    return c


# ------------------------------------------------------------------ an admin of two branches


def test_admin_of_two_branches_gets_one_form_per_branch_with_its_own_members(make_client, city):
    two_branch_admin(city)
    wid = make_wish(city, "published")
    page = body(client_as(make_client, "agency_ab").get(f"/wishes/{wid}"))
    form_a = re.search(rf'<form [^>]*id="claim-{city.agency_a.id}">(.*?)</form>', page, re.S).group(1)
    form_b = re.search(rf'<form [^>]*id="claim-{city.agency_b.id}">(.*?)</form>', page, re.S).group(1)
    assert f'name="organisation_id" value="{city.agency_a.id}"' in form_a
    assert f'value="{city.member_a.id}"' in form_a and f'value="{city.member_b.id}"' not in form_a
    assert f'name="organisation_id" value="{city.agency_b.id}"' in form_b
    assert f'value="{city.member_b.id}"' in form_b and f'value="{city.member_a.id}"' not in form_b
    assert "Claim for Agency A branch" in form_a and "Claim for Agency B branch" in form_b
    assert 'id="claim-self"' not in page  # not a party member: no claim for themself


def test_admin_of_two_branches_claims_for_the_second_with_its_member(make_client, city):
    two_branch_admin(city)
    wid = make_wish(city, "published")
    admin = client_as(make_client, "agency_ab")
    r = admin.post(f"/wishes/{wid}/claim", {"organisation_id": str(city.agency_b.id),
                                           "members": [str(city.member_b.id)]})
    assert r.status_code == 303
    assert "You claimed this wish" in body(admin.get(r.headers["Location"]))
    claim = get_wish(wid).active_claim
    assert claim.organisation_id == city.agency_b.id and claim.member_ids == {city.member_b.id}


def test_a_member_of_the_other_branch_is_refused_and_nothing_changes(make_client, city):
    two_branch_admin(city)
    wid = make_wish(city, "published")
    admin = client_as(make_client, "agency_ab")
    r = admin.post(f"/wishes/{wid}/claim", {"organisation_id": str(city.agency_b.id),
                                           "members": [str(city.member_a.id)]})
    assert r.status_code == 303
    assert "Team members must be party members" in body(admin.get(r.headers["Location"]))
    assert get_wish(wid).state == "published" and active_claims(wid) == 0


def test_admin_of_two_branches_is_sent_to_the_page_to_choose(make_client, city):
    two_branch_admin(city)
    wid = make_wish(city, "published")
    admin = client_as(make_client, "agency_ab")
    wall = body(admin.get("/wishes/"))
    assert f'hx-post="/wishes/{wid}/claim"' not in wall  # no one-click claim: which branch?
    assert f'href="/wishes/{wid}#claim"' in wall
    r = admin.post(f"/wishes/{wid}/claim")  # a request without a choice claims nothing
    assert r.status_code == 303 and "which of your branches" in body(admin.get(r.headers["Location"]))
    r = admin.htmx_post(f"/wishes/{wid}/claim")
    assert r.status_code == 200 and "which of your branches" in body(r) and "<html" not in body(r)
    assert get_wish(wid).state == "published" and active_claims(wid) == 0


def test_one_branch_admin_and_member_keep_the_one_click_claim(make_client, city):
    wid = make_wish(city, "published")
    for username in ("agency_a", "member_a"):
        wall = body(client_as(make_client, username).get("/wishes/"))
        assert f'hx-post="/wishes/{wid}/claim"' in wall, username
    page = body(client_as(make_client, "member_a").get(f"/wishes/{wid}"))
    assert 'id="claim-self"' in page and 'name="members"' not in page
    assert "Myself (party member)" in page and ">Claim this wish</button>" in page


def test_claim_form_is_absent_when_the_wish_cannot_be_claimed(make_client, city, queries):
    wid = make_wish(city, "claimed")
    admin = client_as(make_client, "agency_b")
    admin.get(f"/wishes/{wid}")
    with queries() as statements:
        page = body(admin.get(f"/wishes/{wid}"))
    assert 'id="claim"' not in page
    assert not [s for s in statements if "role_assignment.organisation_id =" in s], statements  # no team lookup


# ------------------------------------------------------------------ all claims: staff only, loaded only for them


def _claims_list_queries(statements):
    return [s for s in statements if "FROM wish_claim" in s and "ORDER BY wish_claim.claimed_at DESC" in s]


def test_claims_list_is_shown_and_loaded_for_staff_only(make_client, city, queries):
    wid = make_wish(city, "published")
    member = client_as(make_client, "member_a")
    member.post(f"/wishes/{wid}/claim")
    member.post(f"/wishes/{wid}/release", {"release-reason": "Away this week"})
    member_b = client_as(make_client, "member_b")
    member_b.post(f"/wishes/{wid}/claim")
    for username, shown in (("staff_a", True), ("resident_a", False), ("member_b", False)):
        c = client_as(make_client, username)
        c.get(f"/wishes/{wid}")
        with queries() as statements:
            page = body(c.get(f"/wishes/{wid}"))
        assert ("All claims" in page) == shown, username
        assert bool(_claims_list_queries(statements)) == shown, username


# ------------------------------------------------------------------ every POST: plain form and htmx


def _flash(c, r) -> str:
    assert r.status_code == 303, body(r)[:500]
    return body(c.get(r.headers["Location"]))


@pytest.mark.parametrize("action,state,username,data,flash,after", [
    ("approve", "pending", "staff_a", {}, "published on the wall", "published"),
    ("reject", "pending", "staff_a", {"reject-reason": "Too big"}, "not approved", "rejected"),
    ("withdraw", "published", "resident_a", {}, "was withdrawn", "withdrawn"),
    ("claim", "published", "member_b", {}, "You claimed this wish", "claimed"),
    ("release", "claimed", "member_a", {"release-reason": "Ill"}, "The claim was released", "published"),
    ("fulfil", "claimed", "member_a", {"fulfil-note": "Brought it"}, "The resident is asked to confirm",
     "fulfilled"),
    ("confirm", "fulfilled", "resident_a", {"confirm-note": "Thanks"}, "The wish came true", "completed"),
    ("not-received", "fulfilled", "resident_a", {"notreceived-note": "Nothing came"}, "did not arrive",
     "claimed"),
])
def test_every_post_works_as_a_plain_form_with_a_flash(make_client, city, action, state, username, data, flash,
                                                      after):
    wid = make_wish(city, state)
    c = client_as(make_client, username)
    page = _flash(c, c.post(f"/wishes/{wid}/{action}", data))
    assert flash in page and "<html" in page
    assert get_wish(wid).state == after


@pytest.mark.parametrize("action,state,username,data,message,anchor", [
    ("reject", "pending", "staff_a", {"reject-reason": ""}, "why the wish is not approved", "review"),
    ("release", "claimed", "member_a", {"release-reason": ""}, "why the claim is released", "release"),
    ("fulfil", "claimed", "member_a", {"fulfil-note": ""}, "what was done", "fulfil"),
    ("confirm", "claimed", "resident_a", {"confirm-note": ""}, "Only a fulfilled wish", None),
    ("not-received", "fulfilled", "resident_a", {"notreceived-note": ""}, "what is missing", "confirm"),
    ("withdraw", "claimed", "resident_a", {}, "cannot be withdrawn", None),
])
def test_a_refused_post_goes_back_to_the_wish_page_or_answers_with_the_fragment_for_htmx(
        make_client, city, action, state, username, data, message, anchor):
    """A plain form lands on the wish's own URL (303: a refresh sends nothing again), its message by its form;
    htmx gets the page part with the message marked for focus."""
    wid = make_wish(city, state)
    c = client_as(make_client, username)
    plain = c.post(f"/wishes/{wid}/{action}", data)
    assert plain.status_code == 303
    assert plain.headers["Location"] == f"/wishes/{wid}" + (f"#{anchor}" if anchor else "")
    page = body(c.get(plain.headers["Location"]))
    assert message in page and "<html" in page
    alert = re.search(r'<p class="(?:error|alert)"[^>]*role="alert" data-focus-error[^>]*>([^<]*)</p>', page)
    assert alert and message in alert.group(1)
    if anchor:  # the message sits inside the section the page scrolls to
        section = re.search(rf'<section [^>]*id="{anchor}">(.*?)</section>', page, re.S).group(1)
        assert message in section
    assert message not in body(c.get(f"/wishes/{wid}"))  # shown once: a reload is a clean page
    frag = c.htmx_post(f"/wishes/{wid}/{action}", data)
    assert frag.status_code == 200 and message in body(frag)
    assert "<html" not in body(frag) and body(frag).lstrip().startswith('<div id="wish-detail">')
    assert 'role="alert" data-focus-error' in body(frag)
    assert get_wish(wid).state == state


def _note_field(page):
    field = re.search(r'<textarea[^>]*id="notreceived-note"[^>]*>(.*?)</textarea>\s*(.*?)</div>', page, re.S)
    assert field, page
    tag = re.search(r'<textarea[^>]*id="notreceived-note"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in tag and "autofocus" in tag
    return field.group(1).strip(), field.group(2)


def test_a_refused_note_keeps_what_was_typed_next_to_its_field(make_client, city):
    wid = make_wish(city, "fulfilled")
    c = client_as(make_client, "resident_a")
    typed = "只送来了盒子，" + "x" * 520  # over the limit: refused, and nothing typed is lost
    r = c.post(f"/wishes/{wid}/not-received", {"notreceived-note": typed})
    assert r.status_code == 303 and r.headers["Location"] == f"/wishes/{wid}#confirm"
    kept, after = _note_field(body(c.get(r.headers["Location"])))
    assert kept == typed and "Please keep it to 500 characters" in after
    assert get_wish(wid).state == "fulfilled"


def test_a_refused_note_too_long_for_the_session_is_shown_in_place(make_client, city):
    """Text the session cookie cannot carry is answered on the spot (200), by its field, so nothing is lost."""
    from app.web.actions import CARRY_MAX

    wid = make_wish(city, "fulfilled")
    c = client_as(make_client, "resident_a")
    typed = "只送来了盒子，" + "x" * CARRY_MAX
    r = c.post(f"/wishes/{wid}/not-received", {"notreceived-note": typed})
    assert r.status_code == 200 and "<html" in body(r)
    kept, after = _note_field(body(r))
    assert kept == typed and "Please keep it to 500 characters" in after
    assert get_wish(wid).state == "fulfilled"


def test_fulfil_refused_says_the_photo_must_be_chosen_again(make_client, city):
    import io

    from tests.wishes.helpers import jpeg_bytes

    wid = make_wish(city, "claimed")
    c = client_as(make_client, "member_a")
    r = c.c.post(f"/wishes/{wid}/fulfil", data={"csrf_token": c.token(), "fulfil-note": "",
                                                "fulfil-photo": (io.BytesIO(jpeg_bytes()), "lamp.jpg")},
                 content_type="multipart/form-data")
    assert r.status_code == 303
    page = body(c.get(r.headers["Location"]))
    assert "what was done" in page and "please choose it again" in page
    assert get_wish(wid).state == "claimed"


def test_htmx_claim_answers_with_a_small_card(make_client, city):
    """The wall swaps just the card: it must stay small on a phone's connection (≤ 8 KB), win or lose."""
    wid = make_wish(city, "published", title="L" * 60, description="D" * 1000, value=500)
    winner = client_as(make_client, "member_a").htmx_post(f"/wishes/{wid}/claim")
    assert winner.status_code == 200 and "<html" not in body(winner)
    assert len(winner.get_data()) <= CARD_MAX_BYTES, len(winner.get_data())
    loser = client_as(make_client, "member_b").htmx_post(f"/wishes/{wid}/claim")
    assert loser.status_code == 200 and "Already claimed by" in body(loser)
    assert len(loser.get_data()) <= CARD_MAX_BYTES, len(loser.get_data())


def test_a_refused_claim_stands_in_the_claim_section(make_client, city):
    """A plain claim form refused (a team member not of the branch) returns to the wish's claim section, where the
    message is marked for focus; shown once."""
    two_branch_admin(city)
    wid = make_wish(city, "published")
    admin = client_as(make_client, "agency_ab")
    r = admin.post(f"/wishes/{wid}/claim", {"organisation_id": str(city.agency_b.id),
                                           "members": [str(city.member_a.id)]})
    assert r.status_code == 303 and r.headers["Location"] == f"/wishes/{wid}#claim"
    page = body(admin.get(r.headers["Location"]))
    section = re.search(r'<section class="card" id="claim">(.*?)</section>', page, re.S).group(1)
    assert re.search(r'role="alert" data-focus-error[^>]*>Team members must be party members', section)
    assert "Team members must be party members" not in body(admin.get(f"/wishes/{wid}"))
    r = admin.post(f"/wishes/{wid}/claim", {"organisation_id": str(city.agency_b.id), "members": ["x"]})
    assert r.status_code == 303 and "Team members must be party members" in body(admin.get(r.headers["Location"]))
    assert active_claims(wid) == 0
