from flask import Blueprint

bp = Blueprint("scenarios", __name__, url_prefix="/scenarios")
