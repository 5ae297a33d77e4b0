"""The roll-up follows every event after which a counted thing may count differently: registering a source
(app/dashboard/metrics.py) subscribes to the events it names. This module registers the sources of the domains the
portal has."""
from __future__ import annotations

from app.dashboard import metrics

metrics.register_defaults()
