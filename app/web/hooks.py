"""An ordered list of functions other domains register, each giving its part or None (home cards, area sections).

    cards = Hooks()
    home_card = cards.register          # @home_card(order=20) on a function of the user

    cards.results(user)                 # the parts that apply, in order
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hooks:
    def __init__(self) -> None:
        self._hooks: list[tuple[int, Callable]] = []

    def register(self, order: int = 50) -> Callable:
        def add(fn: Callable) -> Callable:
            self._hooks.append((order, fn))
            self._hooks.sort(key=lambda pair: pair[0])
            return fn

        return add

    def results(self, *args: Any) -> list:
        return [part for part in (fn(*args) for _, fn in self._hooks) if part is not None]
