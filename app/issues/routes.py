"""Routes — being built (issue 4)."""
from flask import abort

from app.issues import bp


@bp.get("/")
def index():
    abort(404)


@bp.get("/new")
def new():
    abort(404)
