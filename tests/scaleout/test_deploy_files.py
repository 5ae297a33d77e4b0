"""docs/deploy.md and the sample files in deploy/ agree with the app: every setting they name is one the app (or the
gunicorn config) really reads and README lists; the body size, timeouts, static path and job command match."""
from __future__ import annotations

import re
import runpy
from pathlib import Path

from app.config import ENV_VARS, Config
from app.extensions import reads_replica

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "deploy.md").read_text()
README = (ROOT / "README.md").read_text()
NGINX = (ROOT / "deploy" / "nginx-portal.conf").read_text()
ENV_FILE = (ROOT / "deploy" / "portal.env.example").read_text()
#: read by deploy/gunicorn.conf.py (GUNICORN_BIND) and by gunicorn itself (WEB_CONCURRENCY), not by the app
GUNICORN_VARS = {"GUNICORN_BIND", "WEB_CONCURRENCY"}


def _settings_named(text: str) -> set[str]:
    """Backquoted setting names; ``PORTAL_<NAME>`` is how the environment gives the setting ``NAME``."""
    return {name.removeprefix("PORTAL_") for name in re.findall(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`", text)}


def test_every_setting_named_is_read_by_the_app_and_listed_in_the_readme():
    env_keys = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", ENV_FILE, flags=re.M))
    named = _settings_named(DOC) | env_keys
    assert {"SECRET_KEY", "DATABASE_URL_READ", "RATELIMIT_STORAGE_URI", "UPLOAD_DIR", "PROXY_FIX"} <= named
    for name in sorted(named - GUNICORN_VARS):
        assert name in ENV_VARS or hasattr(Config, name), f"{name} is not a setting the app reads"
        assert f"`{name}`" in README, f"{name} is not listed in README.md"
    gunicorn_file = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    for name in GUNICORN_VARS & named:
        assert name in gunicorn_file and name in DOC


def test_the_readme_links_the_deployment_page():
    assert "(docs/deploy.md)" in README
    for linked in re.findall(r"\]\(\.\./(deploy/[^)]+)\)", DOC):
        assert (ROOT / linked).exists(), linked


def test_nginx_lets_through_what_the_app_accepts_and_waits_as_long_as_gunicorn():
    size = re.search(r"client_max_body_size\s+(\d+)m;", NGINX)
    assert size and int(size.group(1)) * 1024 * 1024 == Config.MAX_CONTENT_LENGTH
    gunicorn = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    read = re.search(r"proxy_read_timeout\s+(\d+)s;", NGINX)
    assert read and int(read.group(1)) == gunicorn["timeout"]
    assert gunicorn["worker_class"] == "gthread" and gunicorn["preload_app"] is False


def test_nginx_serves_the_apps_static_folder_and_sends_the_headers_proxy_fix_reads(app):
    alias = re.search(r"location /static/ \{\s*alias\s+(\S+);", NGINX)
    assert alias and alias.group(1).endswith("/app/static/")
    assert Path(app.static_folder).resolve() == (ROOT / "app" / "static").resolve()
    assert app.static_url_path == "/static"
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert f"proxy_set_header {header} " in NGINX
    assert "PROXY_FIX=1" in ENV_FILE


def test_the_timer_runs_the_jobs_command(app):
    service = (ROOT / "deploy" / "portal-jobs.service").read_text()
    timer = (ROOT / "deploy" / "portal-jobs.timer").read_text()
    assert "ExecStart=/srv/portal/current/.venv/bin/flask --app wsgi jobs run" in service
    assert "Type=oneshot" in service and "EnvironmentFile=/etc/portal/env" in service
    assert re.search(r"^OnCalendar=\*:0/5$", timer, flags=re.M)
    assert "run" in app.cli.commands["jobs"].commands
    web = (ROOT / "deploy" / "portal.service").read_text()
    assert "gunicorn -c deploy/gunicorn.conf.py wsgi:app" in web


def test_the_lists_the_page_says_read_the_replica_do(app):
    """docs/deploy.md names the wish wall and Open311's request list; their views are wrapped by reads_replica."""
    from app.open311 import routes as open311_routes

    marker = reads_replica(lambda: None).__code__
    assert app.view_functions["wishes.wall"].__code__ is marker
    assert open311_routes._list_requests.__code__ is marker
    assert "(`/wishes/`)" in DOC and "`GET /open311/v2/requests.json`" in DOC
