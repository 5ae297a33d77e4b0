"""Categories are configuration: the defaults exist on a fresh database; city admins change limits and levels."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.issues import services as s
from app.issues.models import Issue, IssueCategory


def test_defaults_are_created_once_and_never_overwritten(app, city):
    assert s.ensure_default_categories() == 7
    assert s.ensure_default_categories() == 0
    hazard = s.category_by_code("safety_hazard")
    assert (hazard.accept_hours, hazard.urgent, hazard.default_level) == (1, True, "microgrid")
    assert s.category_by_code("neighbour_dispute").requires_mediation
    assert not s.category_by_code("neighbour_dispute").public
    hazard.accept_hours = 2
    db.session.commit()
    s.ensure_default_categories()
    assert s.category_by_code("safety_hazard").accept_hours == 2


def test_pages_never_insert_categories_on_get(client, city):
    """The migration inserts the defaults; a GET inserting them could race into a 500 (two first visitors)."""
    assert db.session.scalar(select(IssueCategory.id)) is None
    client.login("resident_a")
    assert client.get("/issues/new").status_code == 200
    client.logout()
    client.login("rider")
    assert client.get("/issues/quick").status_code == 200
    client.logout()
    client.login("admin")
    assert client.get("/issues/categories").status_code == 200
    assert db.session.scalar(select(IssueCategory.id)) is None


def test_city_admin_changes_limits(client, city, cats):
    noise = cats["noise"]
    for who in ("staff_a", "street_a", "resident_a"):
        client.login(who)
        assert client.get("/issues/categories").status_code == 403
        assert client.post(f"/issues/categories/{noise.id}", {"accept_hours": "2"}).status_code == 403
        client.logout()
    client.login("admin")
    assert "Issue categories and time limits" in client.get("/issues/").get_data(as_text=True)
    assert "Noise" in client.get("/issues/categories").get_data(as_text=True)
    for data, message in (
        ({"accept_hours": "abc", "resolve_hours": "24", "default_level": "grid"}, "whole hours"),
        ({"accept_hours": "0", "resolve_hours": "24", "default_level": "grid"}, "whole hours"),
        ({"accept_hours": "48", "resolve_hours": "24", "default_level": "grid"}, "cannot be longer"),
        ({"accept_hours": "2", "resolve_hours": "24", "default_level": "city"}, "Choose a handling level."),
    ):
        r = client.post(f"/issues/categories/{noise.id}", data)
        assert r.status_code == 200 and message in r.get_data(as_text=True), data
    db.session.expire_all()
    assert db.session.get(IssueCategory, noise.id).accept_hours == 24
    r = client.post(f"/issues/categories/{noise.id}", {"accept_hours": "2", "resolve_hours": "48",
                                                       "default_level": "grid", "public": "y", "active": "y"})
    assert r.status_code == 303
    db.session.expire_all()
    n = db.session.get(IssueCategory, noise.id)
    assert (n.accept_hours, n.resolve_hours, n.default_level, n.urgent, n.public) == (2, 48, "grid", False, True)
    issue = s.report_issue(reporter=city.resident_a, category=n, description="Drums", area=city.micro_a1)
    assert issue.level == "grid" and issue.accept_due_at - issue.created_at == timedelta(hours=2)
    db.session.commit()
    # an inactive category is no longer offered
    client.post(f"/issues/categories/{noise.id}", {"accept_hours": "2", "resolve_hours": "48",
                                                   "default_level": "grid"})
    client.logout()
    client.login("resident_a")
    assert 'value="noise"' not in client.get("/issues/new").get_data(as_text=True)


# -- adding and renaming ----------------------------------------------------------------------------------------
NEW = {"code": "parking", "name": "Parking", "description": "Cars on the pavement or in the fire lane.",
       "accept_hours": "12", "resolve_hours": "72", "default_level": "grid", "public": "y", "active": "y",
       "icon": "🅿"}


def audit(action: str):
    from app.audit.models import AuditEntry

    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def services_codes(client, fmt="json") -> dict:
    r = client.get(f"/open311/v2/services.{fmt}")
    assert r.status_code == 200
    if fmt == "json":
        return {d["service_code"]: d["service_name"] for d in r.get_json()}
    from defusedxml.ElementTree import fromstring

    return {e.findtext("service_code"): e.findtext("service_name") for e in fromstring(r.get_data())}


def test_city_admin_adds_a_category(client, make_client, city, cats):
    client.login("admin")
    page = client.get("/issues/categories").get_data(as_text=True)
    assert 'action="/issues/categories/new"' in page and 'name="code"' in page
    r = client.post("/issues/categories/new", {**NEW, "urgent": "y", "requires_mediation": ""})
    assert r.status_code == 303
    parking = s.category_by_code("parking")
    assert (parking.name, parking.description, parking.accept_hours, parking.resolve_hours, parking.default_level,
            parking.urgent, parking.requires_mediation, parking.public, parking.active, parking.icon) == (
        "Parking", NEW["description"], 12, 72, "grid", True, False, True, True, "🅿")
    assert parking.sort_order > max(c.sort_order for c in cats.values())
    entry = audit("issue.category_created")[0]
    assert entry.actor_id == city.admin.id and entry.subject_id == parking.id
    assert entry.details["code"] == "parking" and entry.details["after"]["accept_hours"] == 12
    assert "Parking" in client.get("/issues/categories").get_data(as_text=True)
    # offered when reporting, filed with its limits and level, and offered through Open311
    resident = make_client()
    resident.login("resident_a")
    assert 'value="parking"' in resident.get("/issues/new").get_data(as_text=True)
    r = resident.post("/issues/new", {"category": "parking", "description": "Van in the fire lane", "place": "home"})
    assert r.status_code == 303
    issue = db.session.scalars(select(Issue).where(Issue.category_id == parking.id)).one()
    assert issue.level == "grid" and issue.accept_due_at - issue.created_at == timedelta(hours=12)
    for fmt in ("json", "xml"):
        assert services_codes(client, fmt)["parking"] == "Parking"
    # a private or inactive new category stays off the API
    client.post("/issues/categories/new", {**NEW, "code": "quarrel", "name": "Quarrel", "public": ""})
    client.post("/issues/categories/new", {**NEW, "code": "later", "name": "Later", "active": ""})
    assert {"quarrel", "later"} <= {c.code for c in db.session.scalars(select(IssueCategory))}
    assert not {"quarrel", "later"} & set(services_codes(client))
    assert 'value="later"' not in resident.get("/issues/new").get_data(as_text=True)


def test_typed_names_are_shown_as_typed_and_default_names_translated(client, city, cats):
    """Default names are English msgids shown translated; a typed name is shown as typed in every language, even
    when it happens to be some other msgid ("Save" is one)."""
    client.login("admin")
    assert client.post("/issues/categories/new", {**NEW, "code": "save", "name": "Save",
                                                  "description": "Save"}).status_code == 303
    assert client.post("/issues/categories/new", {**NEW, "code": "parking_cn", "name": "停车秩序"}).status_code == 303
    zh = {"Accept-Language": "zh-CN"}
    page = client.get("/issues/categories", headers=zh).get_data(as_text=True)
    assert "路灯照明" in page and "噪音扰民" in page and "停车秩序" in page
    assert 'value="Save"' in page  # the typed name, untranslated
    names = {d["service_code"]: (d["service_name"], d["description"])
             for d in client.get("/open311/v2/services.json", headers=zh).get_json()}
    assert names["street_light"][0] == "路灯照明" and names["save"] == ("Save", "Save")
    assert names["parking_cn"][0] == "停车秩序"
    en = client.get("/open311/v2/services.json").get_json()
    assert {d["service_code"]: d["service_name"] for d in en}["parking_cn"] == "停车秩序"


def test_adding_a_category_with_bad_input_changes_nothing(client, city, cats):
    client.login("admin")
    before = db.session.scalar(select(func.count()).select_from(IssueCategory))
    for change, message in (
        ({"code": "Parking"}, "lowercase letters"), ({"code": "1parking"}, "lowercase letters"),
        ({"code": "park-ing"}, "lowercase letters"), ({"code": ""}, "lowercase letters"),
        ({"code": "p" * 41}, "lowercase letters"), ({"code": "park ing"}, "lowercase letters"),
        ({"code": "noise"}, "The code noise is already used by another category."),
        ({"name": "   "}, "Give the category a name."), ({"name": "x" * 81}, "at most 80 characters"),
        ({"description": "x" * 301}, "at most 300 characters"),
        ({"accept_hours": "0"}, "whole hours between 1 and 8760"),
        ({"resolve_hours": "8761"}, "whole hours between 1 and 8760"),
        ({"accept_hours": "abc"}, "whole hours between 1 and 8760"),
        ({"accept_hours": "99999999999"}, "whole hours between 1 and 8760"),
        ({"accept_hours": "100", "resolve_hours": "50"}, "cannot be longer than the resolution limit"),
        ({"default_level": "city"}, "Choose a handling level."),
        ({"icon": "🅿🅿🅿🅿🅿🅿🅿🅿🅿"}, "single character or emoji"),
    ):
        r = client.post("/issues/categories/new", {**NEW, **change})
        page = r.get_data(as_text=True)
        assert r.status_code == 200 and message in page, change
        assert 'name="code"' in page and (change.get("description") or NEW["description"]) in page  # kept
    # every problem at once
    page = client.post("/issues/categories/new", {**NEW, "code": "", "name": "", "accept_hours": "0"}).get_data(
        as_text=True)
    assert "lowercase letters" in page and "Give the category a name." in page and "whole hours" in page
    assert db.session.scalar(select(func.count()).select_from(IssueCategory)) == before
    assert audit("issue.category_created") == []
    # translated
    page = client.post("/issues/categories/new", {**NEW, "code": "noise"},
                       headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "The code noise" not in page and "noise" in page


def test_only_city_admins_add_or_rename_categories(client, city, cats):
    noise = cats["noise"]
    for who in ("staff_a", "street_a", "leader_a1", "resident_a", "rider"):
        client.login(who)
        r = client.get("/issues/categories")
        assert r.status_code == 403 and 'name="code"' not in r.get_data(as_text=True)
        assert "/issues/categories" not in client.get("/issues/").get_data(as_text=True)
        assert client.post("/issues/categories/new", NEW).status_code == 403
        assert client.post(f"/issues/categories/{noise.id}", {"name": "Mine now", "accept_hours": "24",
                                                             "resolve_hours": "168",
                                                             "default_level": "microgrid"}).status_code == 403
        client.logout()
    r = client.post("/issues/categories/new", NEW)
    assert r.status_code in (302, 303) and "/auth/login" in r.headers["Location"]
    assert s.category_by_code("parking") is None and s.category_by_code("noise").name == "Noise"


def test_city_admin_renames_a_category(client, city, cats):
    noise, light = cats["noise"], cats["street_light"]
    keep = {"accept_hours": "24", "resolve_hours": "168", "default_level": "microgrid", "public": "y",
            "active": "y"}
    client.login("admin")
    page = client.get("/issues/categories").get_data(as_text=True)
    assert f'id="name-{noise.id}"' in page
    r = client.post(f"/issues/categories/{noise.id}", {**keep, "name": "  Noise at night ",
                                                       "description": "Music or drilling after 22:00."})
    assert r.status_code == 303
    db.session.expire_all()
    n = db.session.get(IssueCategory, noise.id)
    assert (n.name, n.description) == ("Noise at night", "Music or drilling after 22:00.")
    entry = audit("issue.category_updated")[-1]
    assert entry.details["before"]["name"] == "Noise" and entry.details["after"]["name"] == "Noise at night"
    zh = {"Accept-Language": "zh-CN"}
    assert "Noise at night" in client.get("/issues/categories", headers=zh).get_data(as_text=True)
    assert {d["service_code"]: d["service_name"] for d in client.get(
        "/open311/v2/services.json", headers=zh).get_json()}["noise"] == "Noise at night"
    # saving a default category unchanged — its translated name and description as the page shows them — keeps the
    # msgids, so it stays translated for everyone
    zh_desc = client.get("/issues/categories", headers=zh).get_data(as_text=True)
    assert "路灯照明" in zh_desc
    from flask_babel import force_locale, gettext

    with force_locale("zh_CN"):
        label, desc = gettext(light.name), gettext(light.description)
    r = client.post(f"/issues/categories/{light.id}", {**keep, "name": label, "description": desc}, headers=zh)
    assert r.status_code == 303
    db.session.expire_all()
    assert (db.session.get(IssueCategory, light.id).name,
            db.session.get(IssueCategory, light.id).description) == ("Street light", light.description)
    assert "Street light" in client.get("/issues/categories").get_data(as_text=True)
    # bad names change nothing
    for data, message in (({"name": ""}, "Give the category a name."), ({"name": "x" * 81}, "at most 80"),
                          ({"description": "x" * 301}, "at most 300")):
        r = client.post(f"/issues/categories/{noise.id}", {**keep, "name": "Noise at night", **data})
        assert r.status_code == 200 and message in r.get_data(as_text=True), data
    db.session.expire_all()
    assert db.session.get(IssueCategory, noise.id).name == "Noise at night"
