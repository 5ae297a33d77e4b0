"""Audit log of every privileged action: who did what to which object, when, from which IP."""
from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")
