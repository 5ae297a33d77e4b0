from flask import Blueprint

#: static/ holds the small no-eval position helper (geo.js), served under /issues/static/
bp = Blueprint("issues", __name__, url_prefix="/issues", static_folder="static")
