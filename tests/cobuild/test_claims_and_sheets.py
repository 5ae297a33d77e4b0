"""Open needs and key projects claimed first-wins (20 threads, SQLite and PostgreSQL); spreadsheets read back,
refused and round-tripped."""
from __future__ import annotations

import io
import zipfile
from datetime import date

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.cobuild import services
from app.cobuild.models import ChecklistClaim, ChecklistItem
from app.extensions import db
from app.organisations.models import Organisation, Pairing
from app.organisations.services import create_organisation
from app.timeutil import local_today
from tests.cobuild.helpers import agreed_item, item_input
from tests.factories import make_user

N = 20


def _claim_at_once(race, make_client, city, item_id):
    admins = []
    for i in range(N):
        # branches sitting in Street A: agencies of the open need's street (a key project is open to any branch)
        org = create_organisation(f"Racing branch {i:02d}", "agency", city.street_a if i % 2 else city.comm_a2)
        admins.append(make_user(f"racer{i:02d}", roles=[("agency_admin", org)]))
    db.session.commit()
    clients = []
    for user in admins:
        c = make_client()
        c.login(user.username)
        c.token()
        clients.append(c)

    def claim(i):
        r = clients[i].htmx_post(f"/cobuild/items/{item_id}/claim")
        return r.status_code, r.get_data(as_text=True) + r.headers.get("HX-Trigger", "")

    results = race(N, claim)
    assert all(isinstance(r, tuple) for r in results), results
    assert [s for s, _ in results].count(200) == N, [r for r in results if r[0] != 200]
    winners = [b for _, b in results if "Claimed. The item joins" in b]
    losers = [b for _, b in results if "just been claimed by another agency" in b]
    assert len(winners) == 1 and len(losers) == N - 1, [b[:200] for _, b in results]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ChecklistClaim)
                             .where(ChecklistClaim.item_id == item_id)) == 1
    item = db.session.get(ChecklistItem, item_id)
    claim_row = db.session.scalar(select(ChecklistClaim).where(ChecklistClaim.item_id == item_id))
    assert item.pairing is not None and item.pairing.organisation_id == claim_row.organisation_id
    assert item.pairing.community_id == item.community_id and item.agency_agreed_by_id == claim_row.claimant_id
    return item


def test_twenty_agencies_claim_one_open_need(race, make_client, city):
    need = services.publish_open_need(city.staff_a, city.comm_a, item_input("Handrails"))
    db.session.commit()
    item = _claim_at_once(race, make_client, city, need.id)
    assert item.state == "agreed"  # the community agreed by publishing, the agency by claiming


def test_twenty_agencies_claim_one_key_project(race, make_client, city):
    project = services.publish_key_project(city.admin, city.comm_b, item_input("Elderly care station"))
    db.session.commit()
    item = _claim_at_once(race, make_client, city, project.id)
    assert item.state == "proposed" and item.community_agreed_at is None  # the community still agrees


def test_claim_extends_an_existing_pairing_and_shows_on_the_public_page(client, city):
    project = services.publish_key_project(city.admin, city.comm_a, item_input("Culture room"))
    db.session.commit()
    pairings = db.session.scalar(select(func.count()).select_from(Pairing))
    page = client.get("/cobuild/key-projects").get_data(as_text=True)
    assert "Culture room" in page and "Waiting for an agency to claim it" in page
    client.login("agency_a")
    assert "Claim" in client.get("/cobuild/open").get_data(as_text=True)
    assert client.post(f"/cobuild/items/{project.id}/claim").status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Pairing)) == pairings  # joined Agency A ↔ A
    assert db.session.get(ChecklistItem, project.id).pairing_id == city.pairing_a.id
    client.logout()
    page = client.get("/cobuild/key-projects").get_data(as_text=True)
    assert "Claimed by Agency A branch" in page and "<progress" in page


def test_the_database_refuses_a_second_active_claim(city):
    import pytest
    from sqlalchemy.exc import IntegrityError

    need = services.publish_open_need(city.staff_a, city.comm_a, item_input())
    db.session.add(ChecklistClaim(item_id=need.id, organisation_id=city.agency_a.id, status="active"))
    db.session.flush()
    db.session.add(ChecklistClaim(item_id=need.id, organisation_id=city.agency_b.id, status="active"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# ---------------------------------------------------------------- spreadsheets


def _upload(client, pairing_id, data: bytes, name="list.xlsx"):
    return client.post(f"/cobuild/pairings/{pairing_id}/import", {"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_export_reads_back(make_client, city):
    client = make_client()
    iid = agreed_item(city, kind="need", title="Meals", target_date=date(local_today().year, 11, 30))
    client.login("staff_a")
    r = client.get(f"/cobuild/pairings/{city.pairing_a.id}/export.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["需求清单", "资源清单", "项目清单"]
    ws = wb["需求清单"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]][:5] == ["编号", "结对单位", "社区", "年度", "名称"]
    row = [c.value for c in ws[2]]
    assert row[0] == iid and row[1] == "Agency A branch" and row[4] == "Meals"
    assert row[12].date() == date(local_today().year, 11, 30)  # a real date
    assert row[13] == "已确认" and row[14] == 0
    assert ws.column_dimensions["E"].width > 10
    # the street office's table of all its pairings
    street = make_client()
    street.login("street_a")
    r = street.get(f"/cobuild/export.xlsx?area={city.street_a.id}")
    assert r.status_code == 200 and "Meals" in [c.value for c in load_workbook(io.BytesIO(r.data))["需求清单"][2]]
    assert client.get(f"/cobuild/export.xlsx?area={city.street_a.id}").status_code == 404


def test_round_trip_into_an_empty_pairing(make_client, city):
    agreed_item(city, kind="need", title="Meals")
    services.propose(city.agency_admin_a, city.pairing_a, "resource", item_input("Tutors", value=None))
    services.propose(city.staff_a, city.pairing_a, "project", item_input("Reading room", side="community"))
    empty = Pairing(organisation_id=city.agency_a.id, community_id=city.comm_a2.id, year=city.pairing_a.year)
    db.session.add(empty)
    db.session.commit()
    c = make_client()
    c.login("agency_a")
    data = c.get(f"/cobuild/pairings/{city.pairing_a.id}/export.xlsx").data
    assert _upload(c, empty.id, data).status_code == 303
    fields = ("kind", "title", "description", "category", "quantity", "value", "community_contact",
              "agency_contact", "responsible_side", "target_date")

    def rows(pid):
        return sorted(tuple(getattr(i, f) for f in fields)
                      for i in db.session.scalars(select(ChecklistItem).where(ChecklistItem.pairing_id == pid)))

    db.session.expire_all()
    assert rows(empty.id) == rows(city.pairing_a.id) and len(rows(empty.id)) == 3


def _sheet(rows, sheet="需求清单") -> bytes:
    from app.cobuild.spreadsheets import HEADERS

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(title="Meals", day=None, value=100, category="为老服务"):
    day = day or date(local_today().year, 12, 1)
    return [None, None, None, None, title, "desc", category, "20", value, "Chen", "Zhao", "单位", day]


def _count():
    return db.session.scalar(select(func.count()).select_from(ChecklistItem))


def test_a_bad_row_imports_nothing_and_is_named(client, city):
    client.login("staff_a")
    bad = _sheet([_row("Good"), _row("Bad", day=date(local_today().year + 1, 1, 1)), _row("", category="x")])
    r = _upload(client, city.pairing_a.id, bad)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Nothing was imported" in body
    assert "Sheet 需求清单, row 3" in body and "Sheet 需求清单, row 4" in body
    assert 'role="alert"' in body
    assert _count() == 0


def test_refused_files(client, city):
    client.login("staff_a")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("notes.txt", "hello")
    r = _upload(client, city.pairing_a.id, zipped.getvalue())
    assert r.status_code == 200 and "not an Excel workbook" in r.get_data(as_text=True)
    r = _upload(client, city.pairing_a.id, b"not a zip at all")
    assert r.status_code == 200 and "not an Excel workbook" in r.get_data(as_text=True)
    formula = _sheet([_row(), [None, None, None, None, "=1+1", "d", "为老服务", "1", "=A1*2", "", "", "单位",
                               date(local_today().year, 12, 1)]])
    r = _upload(client, city.pairing_a.id, formula)
    assert r.status_code == 200 and "a formula where a value belongs" in r.get_data(as_text=True)
    assert "row 3" in r.get_data(as_text=True)
    big = _sheet([_row(f"R{i}") for i in range(2001)])
    r = _upload(client, city.pairing_a.id, big)
    assert r.status_code == 200 and "more than 2000 rows" in r.get_data(as_text=True)
    assert _count() == 0


def test_a_huge_sheet_is_refused_from_its_dimension(client, city):
    """A 100,000-row sheet is refused from the declared dimension, before its rows are read."""
    from openpyxl.cell import WriteOnlyCell  # noqa: F401 — write-only mode keeps the test's memory small

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("需求清单")
    from app.cobuild.spreadsheets import HEADERS

    ws.append(HEADERS)
    row = _row()
    for _ in range(100_000):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    client.login("staff_a")
    r = _upload(client, city.pairing_a.id, out.getvalue())
    assert r.status_code == 200 and "more than 2000 rows" in r.get_data(as_text=True)
    assert _count() == 0
    assert db.session.scalar(select(func.count()).select_from(Organisation)) >= 2


def test_in_the_open_list_the_answer_to_a_claim_takes_the_place_of_its_button(make_client, city):
    """htmx from the list: the winner's and the late claimant's answers replace the Claim button of that row."""
    key = services.publish_key_project(city.admin, city.comm_a, item_input("Night bus stop"))
    db.session.commit()
    first, late = make_client(), make_client()
    first.login("agency_a")
    late.login("agency_b")
    for c in (first, late):
        assert f'action="/cobuild/items/{key.id}/claim"' in c.get("/cobuild/open").get_data(as_text=True)
    won = first.htmx_post(f"/cobuild/items/{key.id}/claim")
    lost = late.htmx_post(f"/cobuild/items/{key.id}/claim")
    for r in (won, lost):
        body = r.get_data(as_text=True)
        assert r.status_code == 200 and f'id="claim-{key.id}"' in body
        assert "/claim" not in body  # no button left to press
    assert "Claimed." in won.get_data(as_text=True)
    assert 'role="alert"' in lost.get_data(as_text=True)
