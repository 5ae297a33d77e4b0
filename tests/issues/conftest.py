"""Issue fixtures: the factory city plus the default categories, and a helper to file an issue directly."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from app.extensions import db
from app.issues import services as s


@pytest.fixture
def cats(city):
    s.ensure_default_categories()
    db.session.commit()
    return {c.code: c for c in s.active_categories()}


@pytest.fixture
def file_issue(cats):
    def make(reporter, area, code="street_light", description="The lamp by gate 3 is broken", **kw):
        issue = s.report_issue(reporter=reporter, category=cats[code], description=description, area=area, **kw)
        db.session.commit()
        return issue

    return make


def jpeg_bytes(color=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def jpeg():
    def make(name="photo.jpg"):
        return (io.BytesIO(jpeg_bytes()), name)

    return make


def refused(client, url, data=None, *, carried=True, **kw):
    """Post a refused plain-form action; returns the issue's page that shows the refusal.

    A plain form is sent back to the issue's own URL (303, at the action's anchor), which shows the message and
    what was typed once; a text too long to carry in the session comes back where it was sent (200)."""
    from urllib.parse import urlsplit

    r = client.post(url, data, **kw)
    if carried:
        issue_url, action = url.rsplit("/", 1)
        assert r.status_code == 303, (url, r.status_code)
        location = urlsplit(r.headers["Location"])
        assert (location.path, location.fragment) == (issue_url, f"act-{action}"), r.headers["Location"]
        r = client.get(location.path)
    assert r.status_code == 200, (url, r.status_code)
    return r
