"""党组织 — agency party branches, enterprises, associations, volunteer teams; and their pairings (结对)."""
from flask import Blueprint

bp = Blueprint("organisations", __name__, url_prefix="/organisations")
