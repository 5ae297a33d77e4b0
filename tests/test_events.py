"""Every domain event is declared once with its payload, and every emitted event matches its declaration.

The source is read for every ``events.emit(...)`` (and the domains' wrappers around it) so that a new event name
is declared before it can ship; ``emit`` refuses what does not match; and a run through the main flows checks
what the subscribers actually receive.
"""
from __future__ import annotations

import ast
import dataclasses
import importlib
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app import events
from app.events import EventError, Payload, declare

APP = Path(__file__).resolve().parent.parent / "app"

#: functions that emit on behalf of their callers: (module, function name) → (position of the event-name argument,
#: how the argument becomes the name). An emit with a computed name must sit in one of these; their callers (in any
#: module for a public one, in the same module for a private one) pass constants.
WRAPPERS = {
    ("app/cobuild/services.py", "emit_item"): (0, "{}"),
    ("app/issues/services.py", "_transition"): (2, "issue.{}"),
    ("app/stations/services.py", "_emit_booking"): (0, "{}"),
    ("app/stations/services.py", "_emit_request"): (0, "{}"),
}


def _wrapper(module: str, callee: str | None):
    for (where, name), spec in WRAPPERS.items():
        if name == callee and (where == module or not name.startswith("_")):
            return (where, name), spec
    return None, None


def _load_declarations() -> None:
    for module in sorted(APP.glob("*/events.py")):
        importlib.import_module(f"app.{module.parent.name}.events")


def _constants(node: ast.AST) -> list[str] | None:
    """The strings an argument can be: a constant, or either branch of ``a if cond else b``; None otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _constants(node.body), _constants(node.orelse)
        return body + orelse if body is not None and orelse is not None else None
    return None


def _callee(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def emitted_names() -> tuple[dict[str, list[str]], list[str]]:
    """(event name → where it is emitted, problems) for every emit call and wrapper call under app/."""
    names: dict[str, list[str]] = {}
    problems: list[str] = []
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where_prefix = path.relative_to(APP.parent).as_posix()
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        enclosing: dict[int, str] = {}  # node → the innermost function around it (ast.walk goes outer first)
        for fn in functions:
            for inner in ast.walk(fn):
                if inner is not fn:
                    enclosing[id(inner)] = fn.name
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            callee = _callee(call)
            where = f"{where_prefix}:{call.lineno}"
            if callee == "emit" and isinstance(call.func, ast.Attribute) and getattr(call.func.value, "id", "") \
                    == "events":
                position, template = 0, "{}"
            elif _wrapper(where_prefix, callee)[0] and enclosing.get(id(call)) != callee:
                position, template = _wrapper(where_prefix, callee)[1]
            else:
                continue
            if len(call.args) <= position:
                problems.append(f"{where}: no event name argument")
                continue
            values = _constants(call.args[position])
            if values is None:
                if (where_prefix, enclosing.get(id(call))) in WRAPPERS and callee == "emit":
                    continue  # the wrapper's callers are read instead
                problems.append(f"{where}: the event name is computed; emit constants, or add the function to "
                                f"WRAPPERS in tests/test_events.py")
                continue
            for value in values:
                names.setdefault(template.format(value), []).append(where)
    return names, problems


def test_every_event_emitted_in_the_code_is_declared(app):
    _load_declarations()
    names, problems = emitted_names()
    assert not problems, problems
    assert len(names) > 50  # the scan sees the emit calls (the domains emit about 60 names)
    undeclared = {name: where for name, where in names.items() if events.declaration(name) is None}
    assert not undeclared, f"declare these in their domain's events.py: {undeclared}"


def test_every_declared_event_is_emitted_somewhere_and_every_subscription_is_to_a_declared_event(app):
    from app.issues.events import TRANSITIONS
    from app.notifications import registry

    _load_declarations()
    names, _problems = emitted_names()
    assert set(events.declared()) == set(names), "a declaration nobody emits, or an emit nobody declared"
    assert set(TRANSITIONS) == {n for n, where in names.items() if any("issues/services.py" in w for w in where)
                                and n in TRANSITIONS}
    assert events.subscribed() <= set(events.declared())
    assert set(registry.events()) <= set(events.declared())


def test_every_payload_is_a_frozen_keyword_only_dataclass_of_known_types(app):
    _load_declarations()
    for name, decl in events.declared().items():
        cls = decl.payload
        assert issubclass(cls, Payload) and cls.__dataclass_params__.frozen, name
        assert all(f.kw_only for f in dataclasses.fields(cls)), name
        assert {"subject_id", "actor_id", "area_id", "at"} <= {f.name for f in dataclasses.fields(cls)}, name
        assert name.split(".")[0] in {"wish", "issue", "account", "area", "organisation", "pairing", "open311",
                                      "checklist", "member", "activity", "attendance", "points", "moderation",
                                      "station", "booking", "station_request", "scenario", "dashboard"}, name


# -- emit refuses what does not match -------------------------------------------------------------------------
@pytest.fixture
def wish_event_args(app):
    _load_declarations()
    actor = SimpleNamespace(id=7)
    subject = SimpleNamespace(id=3, __tablename__="wish")
    fields = {"area_id": 5, "wisher_id": 9, "from_state": "pending", "to_state": "published"}
    return actor, subject, fields


def test_emit_builds_the_declared_payload(wish_event_args):
    from app.wishes.events import WishChange

    actor, subject, fields = wish_event_args
    seen = []

    @events.on("wish.withdrawn")
    def listen(event):
        seen.append(event)

    try:
        event = events.emit("wish.withdrawn", actor=actor, subject=subject, **fields)
    finally:
        events.signal("wish.withdrawn").disconnect(listen)
    assert seen == [event]
    assert type(event.payload) is WishChange
    assert (event.payload.subject_id, event.payload.actor_id, event.payload.area_id) == (3, 7, 5)
    assert event.payload.at.tzinfo is None and event.subject_id == 3 and event.subject_type == "wish"
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.payload.wisher_id = 1  # type: ignore[misc]
    assert not hasattr(event, "data")


def test_an_undeclared_event_name_is_refused(wish_event_args):
    actor, subject, fields = wish_event_args
    with pytest.raises(EventError, match="not declared"):
        events.emit("wish.teleported", actor=actor, subject=subject, **fields)


def test_a_missing_field_is_refused(wish_event_args):
    actor, subject, fields = wish_event_args
    del fields["wisher_id"]
    with pytest.raises(EventError, match=r"missing fields \['wisher_id'\]"):
        events.emit("wish.published", actor=actor, subject=subject, **fields)


def test_an_unknown_field_is_refused(wish_event_args):
    actor, subject, fields = wish_event_args
    with pytest.raises(EventError, match=r"unknown fields \['member_ids'\]"):
        events.emit("wish.published", actor=actor, subject=subject, member_ids=(), **fields)


def test_a_field_emit_fills_itself_is_refused(wish_event_args):
    actor, subject, fields = wish_event_args
    with pytest.raises(EventError, match=r"unknown fields \['actor_id'\]"):
        events.emit("wish.published", actor=actor, subject=subject, actor_id=8, **fields)


@pytest.mark.parametrize("field, value", [("wisher_id", "9"), ("area_id", 5.0), ("to_state", None),
                                          ("wisher_id", True), ("area_id", None)])
def test_a_wrong_type_or_a_missing_required_value_is_refused(wish_event_args, field, value):
    actor, subject, fields = wish_event_args
    fields[field] = value
    with pytest.raises(EventError, match=field):
        events.emit("wish.published", actor=actor, subject=subject, **fields)


def test_an_event_a_person_must_cause_is_refused_without_one(wish_event_args):
    _actor, subject, fields = wish_event_args
    with pytest.raises(EventError, match="needs an actor"):
        events.emit("wish.published", actor=None, subject=subject, **fields)
    # the job's event may come without one
    assert events.build("wish.expired", actor=None, subject=subject, fields=fields).actor_id is None


def test_a_tuple_field_refuses_a_list(app):
    _load_declarations()
    fields = {"area_id": 5, "wisher_id": 9, "from_state": "published", "to_state": "claimed", "claim_id": 1,
              "claimant_id": 2, "organisation_id": None, "member_ids": [4]}
    with pytest.raises(EventError, match="member_ids"):
        events.emit("wish.claimed", actor=SimpleNamespace(id=2), subject=SimpleNamespace(id=3), **fields)


def test_declarations_are_checked_when_made(app):
    class Loose(Payload):  # no @dataclass of its own: ``note`` would not be a field
        note: str

    with pytest.raises(EventError, match="not a Payload dataclass"):
        declare("test.loose")(Loose)

    @dataclasses.dataclass(frozen=True)
    class Positional(Payload):
        note: str = ""

    with pytest.raises(EventError, match="keyword-only"):
        declare("test.positional")(Positional)

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Other(Payload):
        note: str

    _load_declarations()
    with pytest.raises(EventError, match="declared twice"):
        declare("wish.claimed")(Other)

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Misnamed(Payload):
        required = Payload.required | {"nothing"}

    with pytest.raises(EventError, match="nothing"):
        declare("test.misnamed")(Misnamed)
    assert not {"test.loose", "test.positional", "test.misnamed"} & set(events.declared())


# -- the main flows, as the subscribers see them -----------------------------------------------------------------
def test_the_main_flows_emit_events_matching_their_declarations(app):
    from app.accounts import services as accounts
    from app.accounts.models import RoleAssignment, User
    from app.audit.models import AuditEntry
    from app.cobuild import services as cobuild
    from app.demo import seed
    from app.extensions import db
    from app.issues import services as issues
    from app.organisations.models import Organisation, Pairing
    from app.timeutil import local_today
    from app.wishes import services as wishes
    from app.wishes.models import categories

    recorded: list[events.DomainEvent] = []

    def record(event):
        recorded.append(event)

    events.on_any(record)
    try:
        seed()
        seeded = len(recorded)

        def user(username: str) -> User:
            return db.session.scalar(select(User).where(User.username == username))

        admin, staff1, agency1, member1 = user("admin"), user("staff1"), user("agency1"), user("member1")
        leader1, resident1, resident2 = user("leader1"), user("resident1"), user("resident2")
        branch = db.session.scalar(select(Organisation).join(RoleAssignment, RoleAssignment.organisation_id
                                                              == Organisation.id)
                                   .where(RoleAssignment.user_id == agency1.id))
        community_id = next(r.area_id for r in staff1.roles if r.role == "community_staff")
        today = local_today()

        # a wish: posted, approved, claimed by a branch with its team, fulfilled, confirmed
        wish = wishes.post_wish(resident1, wishes.WishInput(category=categories()[0], title="A reading lamp",
                                                            description="For my desk", value=0,
                                                            wanted_by=today + timedelta(days=20)))
        wishes.approve(wish, staff1)
        wishes.claim(wish, agency1, organisation_id=branch.id, member_ids=[member1.id])
        wishes.fulfil(wish, agency1, "Brought it round")
        wishes.confirm(wish, resident1, "Thank you")
        db.session.commit()

        # an issue: reported, accepted, resolved, rated
        issues.ensure_default_categories()
        category = issues.active_categories()[0]
        issue = issues.report_issue(reporter=resident1, category=category, description="The lamp is out",
                                    area=resident1.home_area)
        issues.accept(issue, leader1)
        issues.resolve(issue, leader1, "New bulb")
        issues.rate(issue, resident1, "satisfied")
        db.session.commit()

        # a checklist item: proposed by the community, agreed by the branch, done, evaluated
        pairing = db.session.scalar(select(Pairing).where(Pairing.organisation_id == branch.id,
                                                          Pairing.community_id == community_id,
                                                          Pairing.year == today.year))
        item = cobuild.propose(staff1, pairing, "need", cobuild.ItemInput(
            title="Fix the railing", description="By the stairs", responsible_side="agency",
            target_date=today.replace(month=12, day=31)))
        cobuild.agree(agency1, item)
        cobuild.mark_done(agency1, item, "Welded")
        cobuild.evaluate(staff1, item, 5, "Solid")
        db.session.commit()

        # a role: granted and revoked
        assignment = accounts.grant_person_role(admin, resident2, "microgrid_leader", area=resident2.home_area)
        accounts.revoke_role(admin, assignment)
        db.session.commit()
    finally:
        events.any_event.disconnect(record)

    names = [e.name for e in recorded]
    assert seeded > 0 and {"wish.posted", "wish.published", "wish.claimed", "wish.fulfilled", "wish.completed",
                           "issue.reported", "issue.accepted", "issue.resolved", "issue.rated",
                           "checklist.proposed", "checklist.agreed", "checklist.agreement_complete",
                           "checklist.done", "checklist.evaluated", "account.role_granted",
                           "account.role_revoked"} <= set(names)
    for event in recorded:
        decl = events.declaration(event.name)
        assert decl is not None, event.name
        payload = event.payload
        assert type(payload) is decl.payload, event.name
        assert payload.subject_id is not None and payload.subject_id == getattr(event.subject, "id", None)
        assert payload.actor_id == getattr(event.actor, "id", None)
        if not decl.system:
            assert payload.actor_id is not None, event.name
        if "area_id" in type(payload).required:
            assert payload.area_id is not None, event.name
        for field in type(payload).required:
            assert getattr(payload, field) is not None, (event.name, field)

    # organisation_id wherever an organisation is involved
    flow = recorded[seeded:]
    for event in flow:
        if event.name in ("wish.claimed", "wish.fulfilled", "wish.completed"):
            assert event.payload.organisation_id == branch.id and event.payload.member_ids == (member1.id,)
        if event.name.startswith("checklist."):
            assert event.payload.organisation_id == branch.id and event.payload.pairing_id == pairing.id
        if event.name.startswith(("account.role_", "wish.", "issue.")):
            assert event.payload.area_id is not None
    assert all(e.payload.organisation_id is not None for e in recorded
               if e.name.startswith(("pairing.", "organisation.")))

    # the audit log has one entry per event, with the payload's own fields as details
    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [e.action for e in entries] == names
    completed = next(e for e in entries if e.action == "wish.completed" and e.subject_id == wish.id)
    assert completed.details["member_ids"] == [member1.id] and completed.details["organisation_id"] == branch.id
    assert "at" not in completed.details and "area_id" not in completed.details
