"""共驻共建清单 — the co-building checklists (needs, resources, projects) kept on a pairing (结对)."""
from flask import Blueprint

bp = Blueprint("cobuild", __name__, url_prefix="/cobuild")
