"""The demo city has moderation to show: one wish hidden pending review in 杏林社区's queue, an issue with reports
below the threshold, all told in the audit log — and seeding again adds nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.extensions import db
from app.moderation.models import Flag, ModerationCase
from app.moderation.services import threshold


def test_the_demo_seeds_one_case_pending_review(demo_city, client):
    from app.demo import seed

    cases = list(db.session.scalars(select(ModerationCase).order_by(ModerationCase.id)))
    assert sorted((c.subject_type, c.state) for c in cases) == [("issue", "flagged"), ("wish", "hidden")]
    hidden = next(c for c in cases if c.state == "hidden")
    assert hidden.flag_count == threshold()
    flagged = next(c for c in cases if c.state == "flagged")
    assert 0 < flagged.flag_count < threshold()
    # through the service: every report and the hiding are in the audit log
    actions = dict(db.session.execute(select(AuditEntry.action, func.count()).where(
        AuditEntry.action.like("moderation.%")).group_by(AuditEntry.action)).all())
    assert actions == {"moderation.flagged": hidden.flag_count + flagged.flag_count, "moderation.hidden": 1}
    # the staff of its community and the city admin find it in the review queue; another community's staff do not
    for who, sees in (("staff2", True), ("admin", True), ("staff1", False)):
        client.login(who)
        page = client.get("/moderation/")
        assert page.status_code == 200, who
        assert (f"/moderation/wish/{hidden.subject_id}" in page.get_data(as_text=True)) is sees, who
        client.logout()
    flags = db.session.scalar(select(func.count(Flag.id)))
    seed()
    assert db.session.scalar(select(func.count(Flag.id))) == flags
    assert db.session.scalar(select(func.count(ModerationCase.id))) == len(cases)
