"""Demo Open311 data: an active key with a published demo value, a revoked key, and requests filed through the API.

The demo key is as public as the demo password: it exists only in a seeded demo city (``OPEN311_DEMO_KEY``
overrides its value). Try it with:

    curl -d api_key=o311_demo_key_for_the_demo_city_only -d service_code=street_light \\
         -d address_id=C-S1-C1-G1-M3 -d description=... http://127.0.0.1:5000/open311/v2/requests.json
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.demo import DemoCity, demo_seeder
from app.extensions import db
from app.open311.models import ApiKey, hash_key
from app.open311.services import issue_key, revoke_key

DEMO_KEY = "o311_demo_key_for_the_demo_city_only"


@demo_seeder(order=60)
def seed_open311(city: DemoCity) -> str | None:
    from app.issues.services import ensure_default_categories
    from app.open311.georeport import create_request

    if db.session.scalar(select(ApiKey.id).limit(1)) is not None:
        return "open311: already there"
    ensure_default_categories()
    admin, a = city.users["admin"], city.areas
    key, _ = issue_key(admin, name="澄川随手拍 App", owner="澄川市大数据中心 0510-86000100",
                       default_area=a["community1"])
    plaintext = current_app.config.get("OPEN311_DEMO_KEY") or DEMO_KEY
    key.key_hash, key.key_prefix = hash_key(plaintext), plaintext[:12]
    old, _ = issue_key(admin, name="旧版市民热线接口", owner="已停用", default_area=a["street1"])
    revoke_key(admin, old)
    made = 0
    for fields in (
        {"service_code": "street_light", "address_id": a["community1.g1.m3"].code, "lat": "31.9105",
         "long": "120.2866", "description": "健身广场旁的两盏路灯不亮。", "first_name": "海燕", "last_name": "吴",
         "phone": "13700000088", "device_id": "demo-phone-1", "media_url": "https://example.org/demo/light.jpg"},
        {"service_code": "sanitation", "address_string": "梧桐路菜场北侧垃圾房",
         "description": "垃圾房门口堆满了纸箱，有异味。", "attribute[ANONYMOUS]": "yes", "account_id": "demo-user-42"},
    ):
        create_request(MultiDict(fields), key)
        made += 1
    db.session.flush()
    return f"open311: 2 keys (1 revoked), {made} requests; demo key {plaintext}"
