"""One shape for every action a person takes on a thing: load → authorise → act → commit → answer.

    @bp.post("/<int:wish_id>/reject")
    @login_required
    def reject(wish_id):
        wish = load(Wish, wish_id, can_view_wish)                  # 404: may not see it (or it does not exist)
        return perform(wish, action="reject", allowed=is_wish_staff,  # 403: may see it, may not do this
                       form=ReasonForm(prefix="reject"),
                       do=lambda w, f: services.reject(w, current_user, f.reason.data),
                       done=_("The wish was not approved."),
                       page=url_for("wishes.show", wish_id=wish_id), render=render_detail)

and on the thing's own page, ``refusal = pop_refusal(wish)`` puts a refused plain form back next to its fields.

What ``perform`` decides, once for every domain:
- the 403 (``allowed`` is false) — the 404 for what the person may not see is ``load``'s;
- a form that does not validate is a refusal like a service's ``DomainError`` (never a 400): nothing changed
  (``db.session.rollback()``), the message by its field, what was typed kept;
- a refused htmx request gets the page part again (status 200) with the refusal, which the template marks
  ``role="alert" data-focus-error`` so that the script moves the focus (and the screen) to it;
- a refused plain form goes back to the thing's own page (303, so a refresh never sends it again) with the
  refusal kept in the session for that one view, at ``#act-<action>``; text too long for the session cookie is
  shown in place instead (200), so nothing typed is lost;
- success commits once, tells the person (``notify``: a flash, or a toast for htmx) and answers the page part
  (htmx) or a 303 to the page.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import abort, make_response, redirect, request, session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import inspect as sa_inspect

from app.errors import DomainError
from app.extensions import db
from app.web.htmx import notify, wants_fragment

#: at most this many characters typed are carried to the page in the session cookie (about 2.5 KB of Chinese
#: text once signed); a longer refused text is shown again where it was sent
CARRY_MAX = 600
SESSION_KEY = "_refusal"


@dataclass
class Refusal:
    """A refused action, shown by its form: the messages by field (``None``: the form as a whole), what was typed,
    and plain words about what could not be kept (a chosen photo)."""

    action: str
    errors: dict[str | None, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return " ".join(dict.fromkeys([*self.errors.values(), *self.notes]))

    def error(self, name: str | None) -> str | None:
        return self.errors.get(name)

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def as_dict(self) -> dict:
        return {"action": self.action, "errors": [[k, v] for k, v in self.errors.items()], "values": self.values,
                "notes": self.notes}

    @classmethod
    def from_dict(cls, data: dict) -> Refusal | None:
        try:
            return cls(action=str(data["action"]),
                       errors={(k if k is None else str(k)): str(v) for k, v in data.get("errors") or []},
                       values={str(k): str(v) for k, v in (data.get("values") or {}).items()},
                       notes=[str(n) for n in data.get("notes") or []])
        except (KeyError, TypeError, ValueError):
            return None


def subject_key(subject: Any) -> str:
    """"table:id", read from the identity map without loading anything: after a failed flush (a compare-and-set
    that lost a race) the session must be rolled back before it may load an expired attribute."""
    identity = sa_inspect(subject).identity
    return f"{subject.__tablename__}:{identity[0] if identity else subject.id}"


def load(model, object_id: int | None, can_view: Callable[[Any, Any], bool] | None = None, **options):
    """The thing, or a 404 when it does not exist or the person may not see it (whether it exists is not told)."""
    obj = db.session.get(model, object_id, **options) if object_id is not None else None
    if obj is None or (can_view is not None and not can_view(current_user, obj)):
        abort(404)
    return obj


def authorise(allowed: bool, explain: Callable[[], Any] | None = None) -> None:
    """403: the person may see the thing but not do this. ``explain()`` gives a page of its own that says why and
    where to turn instead (answered with status 403), in place of the generic one."""
    if not allowed:
        if explain is not None:
            abort(make_response(explain(), 403))
        abort(403)


def form_error(form) -> DomainError:
    """A form's own validation errors as one refusal: the first message of each field."""
    errors = {}
    for name, messages in form.errors.items():
        if messages:
            errors[None if name == "csrf_token" else name] = str(messages[0])
    return DomainError.several(errors or {None: _("Please check the form.")})


def typed_values() -> dict[str, str]:
    """What the person typed (text only, never a password or the CSRF token)."""
    values = {}
    for key, value in request.form.items():
        if key == "csrf_token" or "password" in key:
            continue
        values[key] = value
    return values


def refusal_for(action: str, error: DomainError, form=None) -> Refusal:
    notes = []
    if any(f and f.filename for f in request.files.values()):
        notes.append(_("Choose the photo again."))
    errors = {k: str(v) for k, v in error.errors.items()}
    if form is not None:  # a field this form does not have: the message goes to the form as a whole
        errors = {(k if k is None or k in form else None): v for k, v in errors.items()}
    return Refusal(action=action, errors=errors, values=typed_values(), notes=notes)


def remember_refusal(subject: Any, refusal: Refusal) -> None:
    session[SESSION_KEY] = {"subject": subject_key(subject), **refusal.as_dict()}


def pop_refusal(subject: Any) -> Refusal | None:
    """The refusal of a plain form sent just before, for this thing's page; shown once."""
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict) or data.get("subject") != subject_key(subject):
        return None
    session.pop(SESSION_KEY, None)
    return Refusal.from_dict(data)


def perform(subject: Any, *, action: str, allowed: Callable[[Any, Any], bool], do: Callable[[Any, Any], Any],
            done, page: str | Callable[[Any], str], render: Callable[..., Any], form=None,
            category: str | Callable[[Any], str] = "success",
            anchor: str | Callable[[Any], str | None] | None = None, then: str | None = None):
    """Authorise, act, commit once and answer; see the module's docstring for what happens on a refusal.

    ``do(subject, form)`` calls the service; ``render(subject, refusal=None)`` renders the thing's page (the full
    page, or its part for htmx — ``render_page`` decides); ``page`` is the thing's own URL; ``done`` the message
    told on success (or a callable giving it, for messages that depend on the result); ``category`` the same.
    ``anchor``: the part of the page a refused plain form returns to (default ``act-<action>``), or a callable
    ``anchor(subject) -> str | None`` asked after the rollback (None: the top of the page, e.g. when the form is no
    longer shown). ``then``: where a successful plain form goes, when not back to ``page`` (a list it was sent from).
    ``page`` may also be a callable ``page(subject) -> str``, asked after the rollback or the commit: for a thing
    the person may no longer see once refused (an item another agency claimed first), a page they may see.
    """
    authorise(allowed(current_user, subject))
    try:
        if form is not None and not form.validate_on_submit():
            raise form_error(form)
        result = do(subject, form)
    except DomainError as error:
        key = subject_key(subject)  # before the rollback expires the object
        db.session.rollback()
        refusal = refusal_for(action, error, form)
        if wants_fragment() or sum(len(v) for v in refusal.values.values()) > CARRY_MAX:
            return render(subject, refusal=refusal)
        session[SESSION_KEY] = {"subject": key, **refusal.as_dict()}
        where = anchor(subject) if callable(anchor) else (anchor or "act-" + action)
        url = page(subject) if callable(page) else page
        return redirect(f"{url}#{where}" if where else url, 303)
    db.session.commit()
    notify(done(result) if callable(done) else done, category(result) if callable(category) else category)
    if wants_fragment():
        return render(subject)
    return redirect(then or (page(subject) if callable(page) else page), 303)
