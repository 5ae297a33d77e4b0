"""Shared web behaviour: fragments vs pages, toasts, compression, caching, health, errors, language."""
import gzip
import json

import pytest
from flask import Blueprint

from app import create_app
from app.web.htmx import notify, render_page
from tests.conftest import Client


@pytest.fixture
def probe_app(app):
    """A second app with probe routes (the session app cannot gain routes after its first request)."""
    probe = create_app({"CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "SQLALCHEMY_ENGINE_OPTIONS": app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
                        "SECRET_KEY": "probe"})
    bp = Blueprint("probe", __name__)

    @bp.get("/_probe/notify")
    def notify_probe():
        notify("已保存 saved")
        return render_page("errors/error.html", "errors/_error.html", code=200, title="t", detail="d")

    @bp.get("/_probe/boom")
    def boom():
        raise RuntimeError("secret internals")

    probe.register_blueprint(bp)
    probe.config["PROPAGATE_TEST_ERRORS"] = False
    return Client(probe.test_client(), probe)


def test_full_page_and_vary_header(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "<html" in r.get_data(as_text=True)
    assert "HX-Request" in r.headers["Vary"]


def test_fragment_for_plain_htmx_request_full_page_for_boosted(client, city):
    url = f"/areas/picker?street={city.street_a.id}"
    fragment = client.htmx_get(url).get_data(as_text=True)
    assert "<html" not in fragment and 'name="community"' in fragment and 'id="area-picker"' not in fragment
    boosted = client.htmx_get(url, headers={"HX-Boosted": "true"}).get_data(as_text=True)
    assert "<html" in boosted
    plain = client.get(url)
    assert "<html" in plain.get_data(as_text=True) and "HX-Request" in plain.headers["Vary"]


def test_notify_flashes_for_plain_requests_and_toasts_for_htmx(probe_app):
    client = probe_app
    r = client.htmx_get("/_probe/notify")
    trigger = json.loads(r.headers["HX-Trigger"])
    assert trigger["toast"]["messages"][0] == {"message": "已保存 saved", "level": "success"}
    assert r.headers["HX-Trigger"].isascii()
    r = client.get("/_probe/notify")
    assert "HX-Trigger" not in r.headers
    assert "已保存 saved" in r.get_data(as_text=True)


def test_pages_are_compressed(client):
    r = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert "<html" in gzip.decompress(r.data).decode()
    assert "Accept-Encoding" in r.headers["Vary"]


def test_static_files_versioned_compressed_and_cached_for_a_year(client):
    html = client.get("/").get_data(as_text=True)
    import re

    css = re.search(r'href="(/static/app\.css\?v=[0-9a-f]+)"', html).group(1)
    js = re.search(r'src="(/static/vendor/htmx-2\.0\.\d+\.min\.js\?v=[0-9a-f]+)"', html).group(1)
    for url in (css, js):
        r = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200
        assert r.headers["Content-Encoding"] == "gzip"
        assert "max-age=31536000" in r.headers["Cache-Control"] and "immutable" in r.headers["Cache-Control"]
        assert len(gzip.decompress(r.data)) > len(r.data)


def test_first_load_fits_the_weak_4g_budget(client, city):
    """Home page + its CSS + JS ≤ 50 KB compressed, for an anonymous visitor and for a staff member."""
    import re

    def weight(c):
        page = c.get("/", headers={"Accept-Encoding": "gzip"})
        html = gzip.decompress(page.data).decode()
        total = len(page.data)
        for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
            total += len(c.get(url, headers={"Accept-Encoding": "gzip"}).data)
        return total

    assert weight(client) <= 50 * 1024
    client.login("staff_a")
    assert weight(client) <= 50 * 1024


def test_security_headers(client):
    r = client.get("/")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]


def test_healthz_checks_the_database(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "database": "ok"}


def test_404_in_both_languages(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "Page not found" in r.get_data(as_text=True)
    r = client.get("/no/such/page", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert r.status_code == 404 and "页面不存在" in r.get_data(as_text=True)


def test_404_fragment_for_htmx(client):
    r = client.htmx_get("/no/such/page")
    assert r.status_code == 404
    assert "<html" not in r.get_data(as_text=True)


def test_500_page_never_shows_a_trace(probe_app):
    r = probe_app.get("/_probe/boom", headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 500
    html = r.get_data(as_text=True)
    assert "系统出了点问题" in html and "secret internals" not in html


def test_403_page_in_both_languages(client, city):
    client.login("resident_a")
    r = client.get(f"/areas/{city.comm_a.id}")
    assert r.status_code == 404  # not even visible


def test_language_switch_persists_and_follows_next(client, city):
    r = client.post("/lang", {"lang": "zh_CN", "next": "/auth/login"})
    assert r.status_code == 303 and r.headers["Location"] == "/auth/login"
    assert "登录" in client.get("/auth/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    client.post("/lang", {"lang": "en", "next": "https://evil.example/"})
    r = client.get("/auth/login", headers={"Accept-Language": "zh-CN"})
    assert "Sign in" in r.get_data(as_text=True)


def test_language_switch_ignores_unknown_language(client):
    r = client.post("/lang", {"lang": "fr", "next": "/"})
    assert r.status_code == 303


def test_default_language_is_chinese(app):
    r = app.test_client().get("/")
    assert '<html lang="zh-CN">' in r.get_data(as_text=True)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    from sqlalchemy import text

    from app.extensions import db

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite only")
    conn = db.session.connection()
    assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_audit_log_records_actor_action_and_ip(client, city):
    from sqlalchemy import select

    from app.audit.models import AuditEntry
    from app.extensions import db

    client.post("/auth/register", {"mobile": "13812340000", "display_name": "审计", "password": "longenough",
                                   "confirm": "longenough", "area_id": city.micro_a1.id, "action": "register"},
                environ_base={"REMOTE_ADDR": "10.1.2.3"})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.registered"))
    assert entry.ip == "10.1.2.3" and entry.actor_id == entry.subject_id and entry.subject_type == "user"
    assert entry.area_id == city.micro_a1.id


def test_oversized_ids_in_urls_are_404_not_500(client, city):
    client.login("staff_a")
    for url in ("/areas/99999999999999999999999", "/issues/99999999999999999999999"):
        assert client.get(url).status_code == 404, url


def test_sentinel_home_puts_the_quick_report_first(client, make_client, city):
    client.login("rider")
    html = client.get("/").get_data(as_text=True)
    assert "Report a hazard now" in html and html.index("Report a hazard now") < html.index("For you to act on")
    resident = make_client()
    resident.login("resident_a")
    assert "Report a hazard now" not in resident.get("/").get_data(as_text=True)


def test_a_time_window_within_one_day_names_the_day_once(app):
    from datetime import datetime

    span = app.jinja_env.filters["dt_span"]
    with app.test_request_context("/"):
        # UTC 11:00–13:00 is 19:00–21:00 in Asia/Shanghai, one local day
        assert span(datetime(2026, 12, 2, 11, 0), datetime(2026, 12, 2, 13, 0)) == "2026-12-02 19:00–21:00"
        # UTC 15:00 is past midnight there: both ends in full
        assert span(datetime(2026, 12, 2, 11, 0), datetime(2026, 12, 2, 17, 0)) == \
            "2026-12-02 19:00 – 2026-12-03 01:00"
