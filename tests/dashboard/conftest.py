"""Dashboard fixtures: the factory city with the issue categories, and the public figures' cache emptied."""
from __future__ import annotations

import pytest

from app.dashboard import public
from app.extensions import db
from app.issues import services as issues


@pytest.fixture(autouse=True)
def _fresh_public_cache():
    public.clear()
    yield
    public.clear()


@pytest.fixture
def cats(city):
    issues.ensure_default_categories()
    db.session.commit()
    return {c.code: c for c in issues.active_categories()}
