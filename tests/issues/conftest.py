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
