"""Photos attached to an issue (the report's and the resolution's) are seen by whoever may see the issue."""
from __future__ import annotations

from app.extensions import db
from app.issues.models import Issue
from app.issues.policy import can_view_issue
from app.uploads.policy import photo_viewer


@photo_viewer(Issue.__tablename__)
def may_see_issue_photo(user, issue_id: int) -> bool:
    issue = db.session.get(Issue, issue_id)
    return issue is not None and can_view_issue(user, issue)
