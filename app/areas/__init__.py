"""区域 — the territory tree: city → street → community → grid → micro-grid."""
from flask import Blueprint

bp = Blueprint("areas", __name__, url_prefix="/areas")
