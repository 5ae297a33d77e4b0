"""The shared load → authorise → act → commit → answer helper (app/web/actions.py), on a real table."""
import pytest
from flask_login import login_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import Forbidden, NotFound
from wtforms import StringField
from wtforms.validators import InputRequired

from app.errors import DomainError
from app.extensions import db
from app.organisations.models import Organisation
from app.web import actions


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(validators=[InputRequired(message="A name, please.")])


def _rename(org, form):
    if form.name.data == "bad":
        raise DomainError("Not that name.", "name")
    org.name = form.name.data
    db.session.flush()
    return org.name


def _render(org, refusal=None):
    return {"org": org.id, "refusal": refusal}


def _perform(app, city, data, headers=None, allowed=lambda u, o: True):
    with app.test_request_context("/x", method="POST", data=data, headers=headers or {}):
        login_user(city.admin)
        return actions.perform(city.agency_a, action="rename", allowed=allowed, do=_rename, form=NameForm(),
                               done=lambda name: f"Renamed to {name}.", page="/organisations/1",
                               render=_render)


def test_load_gives_404_for_the_missing_and_the_unseen(app, city):
    with app.test_request_context("/"):
        login_user(city.admin)
        assert actions.load(Organisation, city.agency_a.id) is city.agency_a
        with pytest.raises(NotFound):
            actions.load(Organisation, 2**31 - 1)
        with pytest.raises(NotFound):
            actions.load(Organisation, None)
        with pytest.raises(NotFound):
            actions.load(Organisation, city.agency_a.id, lambda user, org: False)


def test_not_allowed_is_403_and_changes_nothing(app, city):
    with pytest.raises(Forbidden):
        _perform(app, city, {"name": "New"}, allowed=lambda u, o: False)
    db.session.expire_all()
    assert db.session.get(Organisation, city.agency_a.id).name == "Agency A branch"


def test_success_commits_once_and_redirects_or_renders_the_part(app, city):
    response = _perform(app, city, {"name": "Renamed"})
    assert response.status_code == 303 and response.location == "/organisations/1"
    db.session.expire_all()
    assert db.session.get(Organisation, city.agency_a.id).name == "Renamed"
    part = _perform(app, city, {"name": "Again"}, headers={"HX-Request": "true"})
    assert part == {"org": city.agency_a.id, "refusal": None}


@pytest.mark.parametrize("name, field, message", [("", "name", "A name, please."), ("bad", "name", "Not that name.")])
def test_a_refused_plain_form_goes_back_to_the_page_with_its_message_and_input(app, city, name, field, message):
    with app.test_request_context("/x", method="POST", data={"name": name, "password": "secret"}):
        login_user(city.admin)
        response = actions.perform(city.agency_a, action="rename", allowed=lambda u, o: True, do=_rename,
                                   form=NameForm(), done="done", page="/organisations/1", render=_render)
        assert response.status_code == 303
        assert response.location == "/organisations/1#act-rename"
        refusal = actions.pop_refusal(city.agency_a)
        assert refusal.error(field) == message and refusal.value("name") == name
        assert "password" not in refusal.values  # never carried
        assert actions.pop_refusal(city.agency_a) is None  # shown once
    db.session.expire_all()
    assert db.session.get(Organisation, city.agency_a.id).name == "Agency A branch"


def test_a_refused_htmx_request_gets_the_part_with_the_refusal(app, city):
    answer = _perform(app, city, {"name": "bad"}, headers={"HX-Request": "true"})
    assert answer["refusal"].errors == {"name": "Not that name."}
    assert answer["refusal"].action == "rename"


def test_text_too_long_for_the_session_is_shown_in_place(app, city):
    answer = _perform(app, city, {"name": "bad", "note": "x" * (actions.CARRY_MAX + 1)})
    assert isinstance(answer, dict) and answer["refusal"].value("note").startswith("xxx")


def test_a_refusal_is_shown_only_on_its_own_subject(app, city):
    with app.test_request_context("/"):
        actions.remember_refusal(city.agency_a, actions.Refusal(action="rename", errors={"name": "No."}))
        assert actions.pop_refusal(city.agency_b) is None
        assert actions.pop_refusal(city.agency_a).errors == {"name": "No."}


def test_a_tampered_refusal_in_the_session_is_ignored(app, city):
    with app.test_request_context("/"):
        from flask import session

        session[actions.SESSION_KEY] = {"subject": actions.subject_key(city.agency_a), "action": "x",
                                        "errors": "not a list of pairs"}
        assert actions.pop_refusal(city.agency_a) is None


def test_then_anchor_and_category_may_follow_the_result(app, city):
    """A success may go back to the list it was sent from (``then``); the anchor of a refusal may be decided after
    the rollback (None: the top of the page); the category may depend on the result."""
    from flask import get_flashed_messages

    with app.test_request_context("/x", method="POST", data={"name": "Renamed"}):
        login_user(city.admin)
        response = actions.perform(city.agency_a, action="rename", allowed=lambda u, o: True, do=_rename,
                                   form=NameForm(), done="done", page="/organisations/1", render=_render,
                                   then="/organisations/", category=lambda name: "info")
        assert response.status_code == 303 and response.location == "/organisations/"
        assert get_flashed_messages(with_categories=True) == [("info", "done")]
    with app.test_request_context("/x", method="POST", data={"name": "bad"}):
        login_user(city.admin)
        response = actions.perform(city.agency_a, action="rename", allowed=lambda u, o: True, do=_rename,
                                   form=NameForm(), done="done", page="/organisations/1", render=_render,
                                   then="/organisations/", anchor=lambda org: None)
        assert response.status_code == 303 and response.location == "/organisations/1"  # refused: its own page
        assert actions.pop_refusal(city.agency_a).error("name") == "Not that name."


def test_authorise_may_explain_with_a_page_of_its_own(app):
    from werkzeug.exceptions import HTTPException

    with app.test_request_context("/"):
        with pytest.raises(HTTPException) as refused:
            actions.authorise(False, explain=lambda: "Ask your community office.")
        assert refused.value.response.status_code == 403
        assert refused.value.response.get_data(as_text=True) == "Ask your community office."
        actions.authorise(True, explain=lambda: pytest.fail("not asked when allowed"))
