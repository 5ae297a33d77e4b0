"""Deployment settings that would make production quietly wrong refuse to start (or warn), with a clear message."""
from __future__ import annotations

import logging

import pytest
from flask import Flask

from app.config import ConfigurationError, load_config

ENV = ("APP_CONFIG", "RATELIMIT_STORAGE_URI", "RATELIMIT_SINGLE_WORKER", "PUBLIC_BASE_URL", "TRUSTED_HOSTS",
       "SECRET_KEY", "DATABASE_URL")


@pytest.fixture
def bare(tmp_path, monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "config-test")

    def make(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        app = Flask("config_test", instance_path=str(tmp_path / "instance"))
        load_config(app, None)
        return app

    return make


def test_production_refuses_the_per_worker_memory_store(bare):
    with pytest.raises(ConfigurationError, match="RATELIMIT_STORAGE_URI") as refused:
        bare(APP_CONFIG="production")
    assert "redis://" in str(refused.value) and "RATELIMIT_SINGLE_WORKER" in str(refused.value)
    with pytest.raises(ConfigurationError):
        bare(APP_CONFIG="production", RATELIMIT_STORAGE_URI="memory://")


def test_production_starts_with_a_shared_store_or_a_declared_single_worker(bare):
    app = bare(APP_CONFIG="production", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
               PUBLIC_BASE_URL="https://portal.example.org/")
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    assert app.config["PUBLIC_BASE_URL"] == "https://portal.example.org"  # the trailing slash is dropped
    app = bare(APP_CONFIG="production", RATELIMIT_SINGLE_WORKER="1", TRUSTED_HOSTS="portal.example.org, x.org")
    assert app.config["RATELIMIT_SINGLE_WORKER"] is True
    assert app.config["TRUSTED_HOSTS"] == ["portal.example.org", "x.org"]


def test_development_keeps_the_memory_store(bare):
    assert bare().config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_production_warns_without_a_public_address(bare, caplog):
    with caplog.at_level(logging.WARNING):
        bare(APP_CONFIG="production", RATELIMIT_SINGLE_WORKER="1")
    assert "PUBLIC_BASE_URL" in caplog.text


@pytest.mark.parametrize("value", ["portal.example.org", "ftp://portal.example.org", "https://",
                                   "https://portal.example.org/?x=1", "https://user:pw@portal.example.org"])
def test_a_public_base_url_that_is_not_an_address_is_refused(bare, value):
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL"):
        bare(PUBLIC_BASE_URL=value)
