"""Routes — to be built."""
from app.open311 import bp  # noqa: F401
