"""In-app notifications (the bell): who must hear of a domain event, told in their own language."""
from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
