"""What the moderated domains' pages ask of moderation: the page a hidden thing shows to the public, and the panel
on a thing's own page (the report button, the "hidden pending review" mark, the staff's way to the review)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, url_for
from flask_login import current_user

from app.moderation import policy, services
from app.moderation.models import HIDDEN, REMOVED
from app.moderation.subjects import Kind, is_author, kind_for


def hidden_page(subject):
    """For someone who may not see a hidden thing: a page saying it is hidden pending review (None otherwise)."""
    if not policy.is_hidden_by_moderation(current_user, subject):
        return None
    kind = kind_for(subject)
    return render_template("moderation/hidden.html", kind=kind)


@dataclass
class Panel:
    kind: Kind
    subject_id: int
    hidden: bool
    removed: bool
    staff: bool
    author: bool
    can_flag: bool
    flagged: bool
    flag_url: str
    review_url: str


def panel(subject) -> Panel:
    kind = kind_for(subject)
    signed_in = current_user.is_authenticated
    author = signed_in and is_author(current_user, subject)
    staff = policy.is_moderation_staff(current_user, subject)
    can_flag = policy.can_flag(current_user, subject) and not author
    return Panel(kind=kind, subject_id=subject.id, hidden=subject.moderation == HIDDEN,
                 removed=subject.moderation == REMOVED, staff=staff, author=author, can_flag=can_flag,
                 flagged=can_flag and services.has_flagged(current_user, subject),
                 flag_url=url_for("moderation.flag", kind=kind.name, subject_id=subject.id),
                 review_url=url_for("moderation.review", kind=kind.name, subject_id=subject.id))
