"""Two hosts behind a load balancer, for real: two gunicorn processes (deploy/gunicorn.conf.py, APP_CONFIG=production,
configured only through the environment) on one PostgreSQL and one Redis. A browser signs in on one host and acts
on the other; a claim race across both hosts has one winner and clear answers for the rest; a sign-in limit is
counted across both.

PostgreSQL only: it runs in the PostgreSQL pass (TEST_DATABASE_URL), which STRICT_CI requires; on SQLite it is
skipped (several hosts never share one SQLite file). Without Redis it is skipped, or fails under STRICT_CI.
"""
from __future__ import annotations

import os
import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.wishes.models import Wish, WishClaim
from tests.conftest import require
from tests.factories import build_city, make_user
from tests.scaleout.helpers import create_schema, drop_schema, pg_base_url, second_app
from tests.scaleout.hosts import Browser, Host, flush_redis, production_env, redis_reachable, stop_all
from tests.wishes.helpers import make_wish

pytestmark = pytest.mark.commits  # the hosts are other processes: they see only what is committed


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """(host A, host B, an app on the same database for setting up and checking)."""
    base = pg_base_url()
    if base is None:
        pytest.skip("several hosts share one PostgreSQL: this runs in the PostgreSQL pass (TEST_DATABASE_URL)")
    require(redis_reachable(), "Redis is not running on 127.0.0.1:6379 (the hosts share their rate limits there)")
    tmp = tmp_path_factory.mktemp("hosts")
    schema = f"scaleout_hosts_{os.getpid()}"
    url = create_schema(base, schema)
    flush_redis()
    hosts: list[Host] = []
    try:
        env = production_env(url, tmp)
        # the hosts boot (seconds: imports) while the tables are made and the city is built
        hosts = [Host(env, tmp / "host-a.log"), Host(env, tmp / "host-b.log")]
        with second_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": str(tmp / "shared-uploads")}) as setup:
            with setup.app_context():
                city = build_city()
                setup.config["CITY_IDS"] = {name: (type(obj), obj.id) for name, obj in vars(city).items()}
                db.session.remove()
            for host in hosts:
                host.wait_ready(timeout=60)
            yield hosts[0], hosts[1], setup
    finally:
        stop_all(hosts)
        flush_redis()
        drop_schema(base, schema)


def test_a_claim_race_across_two_hosts_has_one_winner(deployment):
    a, b, setup = deployment
    with setup.app_context():
        city = SimpleNamespace(**{name: db.session.get(model, pk) for name, (model, pk) in
                                  setup.config["CITY_IDS"].items()})
        wid = make_wish(city, "published", title="A lamp for the study corner")
        members = [make_user(f"host_racer{i}", roles=[("member", city.agency_a if i % 2 else city.agency_b)])
                   for i in range(4)]
        db.session.commit()
        claimants = [("agency_a", city.agency_a.id), ("agency_b", city.agency_b.id)] + [
            (m.username, None) for m in members]
        db.session.remove()

    browsers = []
    for i, (username, _org) in enumerate(claimants):
        browser = Browser(f"198.51.100.{10 + i}")
        browser.login(a if i % 2 else b, username)  # signed in on one host …
        browser.fetch_token(b if i % 2 else a)  # … the form's token from the other
        browsers.append(browser)

    barrier = threading.Barrier(len(browsers))
    results: list = [None] * len(browsers)

    def claim(i: int) -> None:
        org = claimants[i][1]
        barrier.wait(timeout=30)
        try:  # each claims on the host it did not sign in on, half of them on each host
            results[i] = browsers[i].htmx_post(b if i % 2 else a, f"/wishes/{wid}/claim",
                                               {"organisation_id": org} if org else None)
        except Exception as exc:  # noqa: BLE001 — reported below
            results[i] = exc

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(len(browsers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert all(isinstance(r, tuple) for r in results), results
    assert [status for status, _h, _t in results] == [200] * len(browsers), [(s, t[:300]) for s, _h, t in results]
    winners = [i for i, (_s, headers, _t) in enumerate(results) if "You claimed this wish" in
               (headers.get("HX-Trigger") or "")]
    losers = [i for i, (_s, _h, text) in enumerate(results) if "Already claimed by" in text]
    assert len(winners) == 1, [t[:300] for _s, _h, t in results]
    assert sorted(winners + losers) == list(range(len(browsers)))
    with setup.app_context():
        assert db.session.scalar(select(func.count()).select_from(WishClaim).where(WishClaim.wish_id == wid)) == 1
        assert db.session.get(Wish, wid).state == "claimed"
        db.session.remove()


def test_the_sign_in_limit_is_counted_across_both_hosts(deployment):
    """LOGIN_LIMIT_PER_ACCOUNT (5 per 15 minutes) through Redis: three failures on one host and two on the other
    use it up; the sixth attempt is refused on either host, from any address."""
    a, b, _setup = deployment
    browser = Browser("203.0.113.7")
    wrong = {"username": "host_ghost", "password": "not-the-password"}
    for host in (a, a, a, b, b):
        status, _h, text = browser.post(host, "/auth/login", wrong)
        assert status == 200 and "429" not in text[:200], status
    assert browser.post(a, "/auth/login", wrong)[0] == 429
    assert browser.post(b, "/auth/login", wrong)[0] == 429
    elsewhere = Browser("203.0.113.99")
    assert elsewhere.post(b, "/auth/login", wrong)[0] == 429  # the account's limit, whatever the address
    other_account = {"username": "host_ghost2", "password": "not-the-password"}
    assert browser.post(a, "/auth/login", other_account)[0] == 200  # another account is not held up
