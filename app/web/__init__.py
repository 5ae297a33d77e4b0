"""What every page shares: home, health check, language switch, error pages, assets, security headers."""
from flask import Blueprint

bp = Blueprint("web", __name__)
