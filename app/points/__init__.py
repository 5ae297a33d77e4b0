from flask import Blueprint

bp = Blueprint("points", __name__, url_prefix="/points")
