"""Photo uploads: validated, re-encoded (metadata stripped), stored outside the code, served as images only."""
from flask import Blueprint

bp = Blueprint("uploads", __name__, url_prefix="/uploads")
