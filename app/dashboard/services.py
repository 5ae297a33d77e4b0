"""Setting the evaluation index's weights (city admins)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import events
from app.dashboard import events as _events  # noqa: F401 — declares this domain's events
from app.dashboard.evaluation import weights
from app.dashboard.models import DIMENSIONS, EvaluationWeight
from app.errors import DomainError
from app.extensions import db
from app.timeutil import utcnow


def set_weights(actor, values: dict) -> bool:
    """Store the four weights (whole per cent, 0–100 each, adding up to 100). False when nothing changed."""
    errors = {}
    parsed = {}
    for d in DIMENSIONS:
        raw = values.get(d)
        try:
            n = int(str(raw).strip())
        except (TypeError, ValueError):
            errors[d] = _l("Write a whole number of per cent.")
            continue
        if not 0 <= n <= 100:
            errors[d] = _l("Between 0 and 100 per cent.")
            continue
        parsed[d] = n
    if errors:
        raise DomainError.several(errors)
    total = sum(parsed.values())
    if total != 100:
        raise DomainError(_l("The weights add up to %(total)s %%; they must add up to 100 %%.", total=total),
                          "facilities")
    before = weights()
    if before == parsed and db.session.scalar(select(EvaluationWeight.id).limit(1)) is not None:
        return False
    stored = {w.dimension: w for w in db.session.scalars(select(EvaluationWeight))}
    for d, n in parsed.items():
        row = stored.get(d)
        if row is None:
            db.session.add(EvaluationWeight(dimension=d, percent=n, updated_by_id=actor.id))
        else:
            row.percent, row.updated_by_id, row.updated_at = n, actor.id, utcnow()
    db.session.flush()
    subject = db.session.scalar(select(EvaluationWeight).where(EvaluationWeight.dimension == DIMENSIONS[0]))
    events.emit("dashboard.weights_set", actor=actor, subject=subject, area_id=None, before=before, after=parsed)
    return True
