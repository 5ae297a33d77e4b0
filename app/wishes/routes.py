"""Routes — being built (issue 3)."""
from flask import abort

from app.wishes import bp


@bp.get("/")
def wall():
    abort(404)


@bp.get("/new")
def new():
    abort(404)
