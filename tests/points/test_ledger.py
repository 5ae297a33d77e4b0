"""The ledger: corrections are reversals, the cached balance is the ledger's sum, the same award at once is one."""
from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.points import services
from app.points.models import PointBalance, PointEntry
from tests.points.helpers import attested, corrected, entries, rules, total


def test_a_correction_reverses_the_award_and_awards_the_new_time(city):
    rules()
    attested(city.staff_a, city.member_a, city.comm_a, minutes=120)
    db.session.commit()
    assert services.balance_of(city.member_a.id) == 20
    corrected(city.staff_a, city.member_a, city.comm_a, minutes=60, previous=120)
    corrected(city.staff_a, city.member_a, city.comm_a, minutes=60, previous=120)  # replayed
    db.session.commit()
    rows = entries(user_id=city.member_a.id)
    assert [(e.points, e.generation, e.reverses_id) for e in rows] == \
        [(20, 1, None), (-20, None, rows[0].id), (10, 2, None)]
    assert services.balance_of(city.member_a.id) == total(city.member_a) == 10
    # a stale correction (it corrects a time no longer counted) changes nothing
    corrected(city.staff_a, city.member_a, city.comm_a, minutes=30, previous=120)
    db.session.commit()
    assert len(entries()) == 3


def test_a_reversal_restores_the_balance(city):
    found = rules()
    before = services.balance_of(city.member_a.id)
    entry = services.award(found["wish_claimant"], cause="wish.completed", source_type="wish", source_id=3,
                           points=20, user_id=city.member_a.id, area_id=city.micro_a2.id)
    assert services.balance_of(city.member_a.id) == before + 20
    assert services.reverse(entry, cause="test") is not None
    assert services.reverse(entry, cause="test") is None  # once only
    db.session.commit()
    assert services.balance_of(city.member_a.id) == before == total(city.member_a)
    assert services.check_balances() == []


def test_a_correction_to_nothing_and_back(city):
    rules()
    attested(city.staff_a, city.member_a, city.comm_a, minutes=60)
    corrected(city.staff_a, city.member_a, city.comm_a, minutes=0, previous=60)
    corrected(city.staff_a, city.member_a, city.comm_a, minutes=90, previous=0)
    db.session.commit()
    assert [e.points for e in entries()] == [10, -10, 15]
    assert services.balance_of(city.member_a.id) == 15


def test_the_ledger_has_no_update_or_delete_path():
    """Append-only: nothing in the points package updates or deletes an entry."""
    source = "\n".join(p.read_text() for p in Path("app/points").glob("*.py"))
    assert not re.search(r"update\(\s*PointEntry|delete\(\s*PointEntry|\.delete\(", source)
    assert "session.delete" not in source


@settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck), phases=(Phase.generate,))
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(-50, 50), st.integers(0, 300), st.booleans()),
                min_size=1000, max_size=1000))
def test_the_cached_balance_equals_the_ledger_sum_over_1000_random_entries(city, ops):
    """1,000 random awards, replays (the same source again) and reversals (of a random earlier award)."""
    db.session.query(PointEntry).delete()  # a hypothesis example shares the function's city
    db.session.query(PointBalance).delete()
    found = rules()
    rule = found["wish_claimant"]
    people = [city.member_a, city.member_b, city.resident_a, city.leader_a1, city.staff_a]
    awarded: list[PointEntry] = []
    written = 0
    for who, points, source, reverse_one in ops:
        if reverse_one and awarded:
            written += services.reverse(awarded[(source * 7 + points) % len(awarded)], cause="test") is not None
            continue
        entry = services.award(rule, cause="test", source_type="wish", source_id=source, points=points,
                               user_id=people[who].id, area_id=city.micro_a1.id)
        if entry is not None:
            awarded.append(entry)
            written += 1
    db.session.commit()
    assert services.check_balances() == []
    for person in people:
        assert services.balance_of(person.id) == services.ledger_sum(person.id)
    assert len(entries()) == written


@pytest.mark.commits  # threads: each on its own connection
def test_the_same_attestation_at_once_gives_one_entry(app, city):
    """Eight requests attesting the same attendance at the same instant: the unique key decides, no error."""
    rules()
    ids = (city.staff_a.id, city.member_a.id, city.comm_a.id)
    n = 8
    barrier = threading.Barrier(n)
    errors: list = []

    def run():
        from app.accounts.models import User
        from app.areas.models import Area
        with app.app_context():
            try:
                staff, member, area = db.session.get(User, ids[0]), db.session.get(User, ids[1]), \
                    db.session.get(Area, ids[2])
                barrier.wait(timeout=30)
                attested(staff, member, area, attendance_id=77, minutes=60)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 — reported below
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    db.session.expire_all()
    assert errors == []
    assert len(entries(source_id=77)) == 1
    assert services.balance_of(city.member_a.id) == 10
