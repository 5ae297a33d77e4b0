"""Run the same action from several threads at once: the ``race`` fixture (tests/conftest.py) returns a ``Race``.

    def test_one_claim_wins(race, make_client, city):
        clients = [...]
        results = race(len(clients), lambda i: clients[i].post(url).status_code)
        assert sorted(results) == [200, 303]

Each thread runs ``fn(i)`` in an app context of its own (a session and a connection of its own, as a request on
another server process would). By default the threads wait for each other at a barrier and then call ``fn``
together; with ``start=False`` they start at once and ``fn`` calls ``race.wait()`` where they should meet (e.g.
right after loading a row, to force two stale reads). Requesting the fixture marks the test ``commits``.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from app.extensions import db

TIMEOUT = 60


class Race:
    def __init__(self, app):
        self.app = app
        self._barrier: threading.Barrier | None = None

    def wait(self) -> None:
        """Meet the other threads of the running race (for ``start=False``)."""
        assert self._barrier is not None, "race.wait() outside a race"
        self._barrier.wait(timeout=TIMEOUT)

    def __call__(self, n: int, fn: Callable[[int], object], *, start: bool = True) -> list:
        """Run ``fn(0)`` … ``fn(n-1)`` at once; return their results in that order, an exception in place of
        the result of a call that raised."""
        self._barrier = threading.Barrier(n)
        results: list = [None] * n
        finished = [False] * n

        def run(i: int) -> None:
            try:
                with self.app.app_context():
                    if start:
                        self.wait()
                    results[i] = fn(i)
            except BaseException as exc:  # noqa: BLE001 — handed back to the test
                results[i] = exc
            finished[i] = True

        threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=TIMEOUT * 2)
        self._barrier = None
        assert all(finished), f"threads {[i for i, f in enumerate(finished) if not f]} did not finish"
        db.session.expire_all()  # the test's session now sees what the threads committed
        return results
