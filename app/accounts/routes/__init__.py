"""The account pages, in two modules attaching to the one ``accounts`` blueprint: signing in and out, registering
and one's own password (``auth``); people administration under ``/users/`` (``people``)."""
from app.accounts.routes import auth, people  # noqa: F401 — each module attaches its views to ``bp``
