"""Every issue action answers a form that does not validate like any other refusal (app/web/actions.py): nothing
changed, the message at the action — never a 400 for a form a person filled in."""
from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.issues.models import Issue


@pytest.fixture
def issue(city, file_issue):
    return file_issue(city.resident_a, city.micro_a1)


@pytest.fixture
def forms_checked_by_the_view(app, monkeypatch):
    """The site-wide CSRF check is off, so the token is checked by the action's own form: a form that does not
    validate reaches the view (before, the view answered it with a bare 400)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_CHECK_DEFAULT", False)


def test_an_invalid_plain_form_goes_back_to_the_action_with_the_message(client, city, issue,
                                                                          forms_checked_by_the_view):
    client.login("leader_a1")
    r = client.post(f"/issues/{issue.id}/accept", {"note": "On my way"}, csrf=False)
    assert r.status_code == 303 and r.headers["Location"] == f"/issues/{issue.id}#act-accept"
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    form = page[page.index('id="act-accept"'):]
    form = form[:form.index("</form>")]
    assert re.search(r'role="alert" data-focus-error[^>]*>[^<]*CSRF', form)
    assert "On my way" in form  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(Issue, issue.id).state == "reported"


def test_an_invalid_htmx_form_gets_the_part_with_the_message(client, city, issue, forms_checked_by_the_view):
    client.login("leader_a1")
    r = client.c.post(f"/issues/{issue.id}/accept", data={"note": "On my way"}, headers={"HX-Request": "true"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and body.lstrip().startswith('<div id="issue-detail">')
    assert "data-focus-error" in body and "On my way" in body
    db.session.expire_all()
    assert db.session.get(Issue, issue.id).state == "reported"


def test_the_site_wide_csrf_check_still_answers_first(client, city, issue):
    client.login("leader_a1")
    assert client.post(f"/issues/{issue.id}/accept", {}, csrf=False).status_code == 400


def test_a_missing_category_is_404_for_the_city_admin_and_403_for_others(client, city, cats):
    client.login("staff_a")
    assert client.post("/issues/categories/2147483647", {"accept_hours": "2"}).status_code == 403
    client.logout()
    client.login("admin")
    assert client.post("/issues/categories/2147483647", {"accept_hours": "2"}).status_code == 404


def test_an_anonymous_reporter_is_masked_on_the_public_timeline_only(client, city, cats, file_issue):
    issue = file_issue(city.resident_a, city.micro_a1, anonymous=True)
    masked = city.resident_a.masked_name

    def timeline(username):
        client.logout()
        client.login(username)
        page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
        return page[page.index('<ol class="timeline">'):]

    public = timeline("resident_b")
    assert "<span>Anonymous</span>" in public and masked not in public
    assert f"<span>{masked}</span>" in timeline("resident_a")  # the resident themselves
    assert "<span>Anonymous</span>" not in timeline("staff_a")  # the people handling it
