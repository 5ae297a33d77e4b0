"""Several hosts behind a load balancer: what each host must share, refused or named clearly when it does not."""
from __future__ import annotations

import logging

import pytest
from flask import Flask

from app.config import ConfigurationError, load_config

ENV = ("APP_CONFIG", "RATELIMIT_STORAGE_URI", "RATELIMIT_SINGLE_WORKER", "PUBLIC_BASE_URL", "TRUSTED_HOSTS",
       "SECRET_KEY", "DATABASE_URL", "DATABASE_URL_READ", "UPLOAD_DIR")
SHARED_STORE = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/3", "PUBLIC_BASE_URL": "https://portal.example.org"}


@pytest.fixture
def host(tmp_path, monkeypatch):
    """``host(name, **env)``: load the config as a host with its own instance/ folder would."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)

    def make(name: str = "a", **env):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        app = Flask("hosts_test", instance_path=str(tmp_path / name / "instance"))
        load_config(app, None)
        return app

    return make


def test_production_never_generates_a_key_of_its_own(host, tmp_path):
    """A key generated on one host would sign sessions the other hosts refuse: production asks for SECRET_KEY."""
    with pytest.raises(ConfigurationError, match="SECRET_KEY") as refused:
        host(APP_CONFIG="production", **SHARED_STORE)
    assert "every host" in str(refused.value)
    assert not (tmp_path / "a" / "instance" / "secret_key").exists()


def test_production_hosts_sign_with_the_shared_key(host):
    a = host("a", APP_CONFIG="production", SECRET_KEY="one-key-for-all-hosts", **SHARED_STORE)
    b = host("b")
    assert a.config["SECRET_KEY"] == b.config["SECRET_KEY"] == "one-key-for-all-hosts"


def test_production_accepts_a_key_file_put_in_place(host, tmp_path):
    """The operator may copy one deployment-wide key into each host's instance/secret_key instead."""
    keyfile = tmp_path / "a" / "instance" / "secret_key"
    keyfile.parent.mkdir(parents=True)
    keyfile.write_text("copied-to-every-host\n")
    assert host("a", APP_CONFIG="production", **SHARED_STORE).config["SECRET_KEY"] == "copied-to-every-host"


def test_development_still_generates_its_key_once(host, tmp_path):
    first = host("a").config["SECRET_KEY"]
    assert len(first) == 64 and (tmp_path / "a" / "instance" / "secret_key").read_text() == first
    assert host("a").config["SECRET_KEY"] == first


def test_production_warns_when_photos_stay_on_this_host(host, caplog):
    with caplog.at_level(logging.WARNING):
        host("a", APP_CONFIG="production", SECRET_KEY="k", **SHARED_STORE)
    assert "UPLOAD_DIR" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        app = host("b", UPLOAD_DIR="/srv/portal-uploads")
    assert "UPLOAD_DIR" not in caplog.text and app.config["UPLOAD_DIR"] == "/srv/portal-uploads"


@pytest.mark.parametrize("given, used", [
    ("postgres://portal@replica/portal", "postgresql+psycopg://portal@replica/portal"),
    ("postgresql://portal@replica/portal", "postgresql+psycopg://portal@replica/portal"),
    ("postgresql+psycopg://portal@replica/portal", "postgresql+psycopg://portal@replica/portal"),
])
def test_the_read_replica_url_is_taken_like_the_primary(host, given, used):
    assert host("a", DATABASE_URL_READ=given).config["DATABASE_URL_READ"] == used


def test_without_a_replica_url_there_is_none(host):
    app = host("a")
    assert app.config["DATABASE_URL_READ"] is None and app.config["READ_YOUR_WRITES_SECONDS"] == 10


def test_a_session_cookie_from_a_host_with_another_key_is_named_in_the_log(app, caplog):
    """The other host's cookie is refused (signed out) and the log says why, once per interval, not per request."""
    from app import create_app
    from app.extensions import limiter

    saved = (limiter._storage, limiter._limiter)
    try:
        other = create_app({"CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                            "SQLALCHEMY_ENGINE_OPTIONS": app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
                            "SECRET_KEY": "another-key"})
    finally:
        limiter._storage, limiter._limiter = saved
    foreign = other.test_client()
    foreign.get("/")  # the other host hands out a session (its CSRF token)
    cookie = foreign.get_cookie("session")
    assert cookie is not None
    type(app.session_interface).last_warning = -1e9
    ours = app.test_client()
    ours.set_cookie("session", cookie.value)
    with caplog.at_level(logging.WARNING):
        ours.get("/")
        ours.get("/")
    assert caplog.text.count("another SECRET_KEY") == 1
    caplog.clear()
    mine = app.test_client()
    mine.get("/")
    with caplog.at_level(logging.WARNING):
        type(app.session_interface).last_warning = -1e9
        mine.get("/")  # its own cookie: nothing to say
    assert "SECRET_KEY" not in caplog.text
