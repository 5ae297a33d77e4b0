"""The demo city has an active key with a published demo value, a revoked key, and requests filed via the API."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.open311.demo import DEMO_KEY
from app.open311.models import ApiKey, Open311Request
from tests.open311.conftest import parse_json


def test_demo_seed(app, api):
    from app.cli import load_domain_modules
    from app.demo import seed

    load_domain_modules("demo")
    seed()
    keys = list(db.session.scalars(select(ApiKey).order_by(ApiKey.id)))
    assert [k.revoked_at is None for k in keys] == [True, False]
    assert db.session.scalar(select(func.count()).select_from(Open311Request)) == 2
    r = api.post("/requests.json", {"api_key": DEMO_KEY, "service_code": "noise", "address_id": "C-S1-C1-G1-M3",
                                    "description": "Drilling at midnight"})
    assert r.status_code == 201, r.get_data(as_text=True)
    listed = parse_json(api.get("/requests.json?service_code=street_light"))
    assert any(item["media_url"] == "https://example.org/demo/light.jpg" for item in listed)
    # idempotent
    seed()
    assert db.session.scalar(select(func.count()).select_from(ApiKey)) == 2
