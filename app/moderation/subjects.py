"""What may be flagged, and what each owning domain says about it: who wrote it, who is staff of its area, whether
the public sees it, which of its columns are its public text. The rules themselves live in the owners' policies."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.issues.models import Issue
from app.issues.policy import can_view_issue, is_issue_staff
from app.wishes.models import Wish
from app.wishes.policy import can_view_wish, is_wish_owner, is_wish_staff


@dataclass(frozen=True)
class Kind:
    name: str
    model: type
    label: Any
    #: the columns of public text, in the order shown; the first is the subject's title in lists
    fields: tuple[str, ...]
    #: shown to the public at all (only public content is flaggable)
    is_public: Callable[[Any], bool]
    is_staff: Callable[[Any, Any], bool]
    can_view: Callable[[Any, Any], bool]
    #: the accounts that wrote it: they may not flag it and are told of the decision
    author_ids: Callable[[Any], tuple[int, ...]]
    #: the short text naming it in lists and notices
    title: Callable[[Any], str]
    endpoint: str
    id_arg: str

    def url(self, subject_id: int) -> str:
        return url_for(self.endpoint, **{self.id_arg: subject_id})


def _ids(*values) -> tuple[int, ...]:
    return tuple(dict.fromkeys(v for v in values if v is not None))


def _issue_public(issue: Issue) -> bool:
    return bool(issue.category.public) and issue.state != "rejected"


def _issue_title(issue: Issue) -> str:
    text = " ".join((issue.description or "").split())
    return text if len(text) <= 40 else text[:39] + "…"


KINDS: dict[str, Kind] = {
    "wish": Kind(
        name="wish", model=Wish, label=_l("Micro-wish"),
        # the wish and its story (圆梦故事): what the wall and the wish's page show to everyone
        fields=("title", "description", "fulfil_note", "thanks_note"),
        is_public=lambda w: w.is_public, is_staff=is_wish_staff, can_view=can_view_wish,
        author_ids=lambda w: _ids(w.wisher_id, w.author_id), title=lambda w: w.title,
        endpoint="wishes.show", id_arg="wish_id"),
    "issue": Kind(
        name="issue", model=Issue, label=_l("Issue"), fields=("description",),
        is_public=_issue_public, is_staff=is_issue_staff, can_view=can_view_issue,
        author_ids=lambda i: _ids(i.resident_id, i.reporter_id), title=_issue_title,
        endpoint="issues.show", id_arg="issue_id"),
}


def kind_of(name: str | None) -> Kind | None:
    return KINDS.get(name or "")


def kind_for(subject) -> Kind:
    return KINDS[subject.__tablename__]


def is_author(user, subject) -> bool:
    uid = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
    return uid is not None and (uid in kind_for(subject).author_ids(subject)
                                or (isinstance(subject, Wish) and is_wish_owner(user, subject)))


def load_subject(kind: Kind, subject_id: int | None):
    return db.session.get(kind.model, subject_id) if subject_id is not None else None
