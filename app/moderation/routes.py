"""Moderation pages: report a thing, the review queue, a thing's review (restore or remove). Thin, as everywhere:
load (404) → perform (403, service, commit once) → render."""
from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.moderation import bp, queries, services, views
from app.moderation.forms import DecisionForm, FlagForm
from app.moderation.policy import can_decide, can_review_moderation, is_moderation_staff
from app.moderation.subjects import kind_for, kind_of
from app.web.actions import Refusal, authorise, load, perform, pop_refusal
from app.web.forms import refilled
from app.web.htmx import render_page, wants_fragment


@bp.app_template_global("moderation_panel")
def moderation_panel(subject):
    return views.panel(subject)


def _subject(kind_name: str, subject_id: int):
    kind = kind_of(kind_name)
    if kind is None:
        abort(404)
    return load(kind.model, subject_id, kind.can_view)


def _page_size() -> int:
    return int(current_app.config.get("MODERATION_PAGE_SIZE") or current_app.config.get("PAGE_SIZE", 20))


def _signed_in(user, subject) -> bool:
    return user.is_authenticated


# ---------------------------------------------------------------- report


def render_flag(subject, refusal: Refusal | None = None):
    kind = kind_for(subject)
    form = refilled(FlagForm, refusal) if refusal is not None else FlagForm(formdata=None)
    return render_template("moderation/flag.html", subject=subject, kind=kind, form=form,
                           message=refusal.error(None) if refusal is not None else None,
                           subject_url=kind.url(subject.id), title=kind.title(subject))


@bp.route("/<kind>/<int:subject_id>/flag", methods=["GET", "POST"])
@login_required
def flag(kind: str, subject_id: int):
    """A page of its own without JavaScript; the thing's page opens the same form in place."""
    subject = _subject(kind, subject_id)
    if request.method == "GET":
        return render_flag(subject, refusal=pop_refusal(subject))
    page = url_for("moderation.flag", kind=kind, subject_id=subject_id)
    return perform(subject, action="flag", allowed=_signed_in, form=FlagForm(),
                   do=lambda s, f: services.flag(s, current_user, f.reason.data),
                   done=_("Thank you. Staff of its area will look at it."), page=page, anchor="flag",
                   then=kind_for(subject).url(subject_id), render=render_flag)


# ---------------------------------------------------------------- review


def render_review(subject, refusal: Refusal | None = None):
    kind = kind_for(subject)
    forms = {}
    for action in ("restore", "remove"):
        if refusal is not None and refusal.action == action:
            forms[action] = refilled(DecisionForm, refusal, prefix=action)
        else:
            forms[action] = DecisionForm(formdata=None, prefix=action)
    loose = refusal.error(None) if refusal is not None else None
    return render_page("moderation/review.html", None, subject=subject, kind=kind,
                       case=queries.current_case(kind.name, subject.id), forms=forms, message=loose,
                       title=kind.title(subject), subject_url=kind.url(subject.id),
                       fields=[(f, getattr(subject, f)) for f in kind.fields if getattr(subject, f)])


@bp.get("/<kind>/<int:subject_id>")
@login_required
def review(kind: str, subject_id: int):
    subject = _subject(kind, subject_id)
    authorise(is_moderation_staff(current_user, subject))
    return render_review(subject, refusal=pop_refusal(subject))


def _decide(kind: str, subject_id: int, action: str, do, done: str):
    subject = _subject(kind, subject_id)
    page = url_for("moderation.review", kind=kind, subject_id=subject_id)
    # staff of the area may always send it; one that comes after another's decision is told so (the service)
    return perform(subject, action=action, allowed=is_moderation_staff, form=DecisionForm(prefix=action), do=do,
                   done=done, page=page, render=render_review,
                   anchor=lambda s: f"act-{action}" if can_decide(current_user, s) else None)


@bp.post("/<kind>/<int:subject_id>/restore")
@login_required
def restore(kind: str, subject_id: int):
    return _decide(kind, subject_id, "restore", lambda s, f: services.restore(s, current_user, f.reason.data),
                   _("It is shown again; the author is told."))


@bp.post("/<kind>/<int:subject_id>/remove")
@login_required
def remove(kind: str, subject_id: int):
    return _decide(kind, subject_id, "remove", lambda s, f: services.remove(s, current_user, f.reason.data),
                   _("Its text was removed; the original stays in the audit log and the author is told."))


@bp.get("/")
@login_required
def queue():
    authorise(can_review_moderation(current_user))
    page = queries.queue_page(current_user, cursor=request.args.get("after"), size=_page_size())
    next_url = url_for("moderation.queue", after=page.next_cursor) if page.has_more else None
    ctx = dict(page=page, next_url=next_url, first_page=not request.args.get("after"))
    if wants_fragment():
        return render_template("moderation/_queue_items.html", **ctx)
    return render_template("moderation/queue.html", total=queries.queue_count(current_user),
                           threshold=services.threshold(), **ctx)
