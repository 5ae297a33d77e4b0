"""Views a signed-in person reaches even while the portal first asks something of them (to replace a temporary
password). Each domain marks its own views, so that no domain lists another's endpoints:

    @bp.get("/healthz")
    @always_reachable
    def healthz(): ...

    always_reachable(bp)   # every view of a blueprint (an API that never uses the signed-in session)

Put the mark right under the route decorator (the view that is registered is the one marked).
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, request

_ATTR = "always_reachable"
_blueprints: set[str] = set()


def always_reachable(target: Callable | Blueprint):
    if isinstance(target, Blueprint):
        _blueprints.add(target.name)
    else:
        setattr(target, _ATTR, True)
    return target


def is_always_reachable() -> bool:
    """Is this request's view marked (or Flask's own static files, or no view at all)?"""
    if request.endpoint is None or request.endpoint == "static" or request.blueprint in _blueprints:
        return True
    view = current_app.view_functions.get(request.endpoint)
    while view is not None:
        if getattr(view, _ATTR, False):
            return True
        view = getattr(view, "__wrapped__", None)
    return False
