"""Moderation: anyone signed in flags a public wish or issue; enough flags hide it until staff of its area decide."""
from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
