"""The evaluation index (评价体系): four dimension scores per community, 0–100, weighted by the city's weights.

Every formula is here once and written on the page from ``FORMULAS``:

* 设施完善 facilities     = 100 × complete "1+1+3" micro-grids ÷ micro-grids of the community (as of now)
* 数据共享 data sharing   = 100 × mean(response rate, revisit rate), where response rate = issues accepted within
  their acceptance limit ÷ issues received, revisit rate = resolved issues rated ÷ issues resolved
* 场景建设 scenarios      = min(100, 100 × common scenarios run ÷ common scenarios in the catalogue
  + 10 × community-specific scenarios run), counting scenarios run since the period's last day or earlier
* 居民共治 co-governance  = 100 × mean(resolution rate, satisfaction rate, wish completion rate)

A rate without a denominator (no issue received, no wish posted) is left out of its mean; a dimension with no rate
at all scores 0. index = Σ weight × score ÷ 100.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app.areas.models import Area
from app.dashboard.models import DIMENSIONS, EvaluationWeight
from app.dashboard.periods import Period
from app.dashboard.queries import Figures, Summary, children, period_figures, ratio, staffing_by_community
from app.extensions import db

DEFAULT_WEIGHTS = {"facilities": 25, "data_sharing": 25, "scenarios": 25, "co_governance": 25}
DIMENSION_LABELS = {
    "facilities": _l("Facilities"),
    "data_sharing": _l("Data sharing"),
    "scenarios": _l("Scenario building"),
    "co_governance": _l("Residents' co-governance"),
}
FORMULAS = {
    "facilities": _l("100 × micro-grids with a complete “1+1+3” team ÷ micro-grids of the community (as of now)."),
    "data_sharing": _l("100 × average of the response rate (issues accepted within their acceptance limit ÷ "
                       "issues received) and the revisit rate (resolved issues rated ÷ issues resolved)."),
    "scenarios": _l("100 × common scenarios the community runs ÷ common scenarios in the catalogue, plus 10 for "
                    "each community-specific scenario it runs, at most 100; a scenario counts from the day it "
                    "started."),
    "co_governance": _l("100 × average of the resolution rate (resolved ÷ accepted), the satisfaction rate "
                        "(rated satisfied or basically satisfied ÷ rated) and the wish completion rate (completed ÷ "
                        "posted)."),
}
SPECIFIC_POINTS = 10


def weights() -> dict[str, int]:
    stored = dict(db.session.execute(select(EvaluationWeight.dimension, EvaluationWeight.percent)).all())
    return {d: int(stored.get(d, DEFAULT_WEIGHTS[d])) for d in DIMENSIONS} if stored else dict(DEFAULT_WEIGHTS)


def _mean(values) -> float:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else 0.0


@dataclass
class Score:
    area: Area
    scores: dict[str, float]
    index: float
    previous: float | None = None
    rank: int = 0

    @property
    def change(self) -> float | None:
        return None if self.previous is None else round(self.index - self.previous, 1)


def dimension_scores(f: Figures, microgrids: tuple[int, int], scenarios: tuple[int, int], common_total: int
                     ) -> dict[str, float]:
    s = Summary(f)
    total, complete = microgrids
    common, specific = scenarios
    facilities = 100 * (ratio(complete, total) or 0)
    data = 100 * _mean([s.response_rate, s.rating_rate])
    scen = min(100.0, 100 * (ratio(common, common_total) or 0) + SPECIFIC_POINTS * specific)
    gov = 100 * _mean([s.resolution_rate, s.satisfaction_rate, s.wish_completion_rate])
    return {"facilities": round(facilities, 1), "data_sharing": round(data, 1), "scenarios": round(scen, 1),
            "co_governance": round(gov, 1)}


def weighted(scores: dict[str, float], w: dict[str, int]) -> float:
    return round(sum(scores[d] * w[d] for d in DIMENSIONS) / 100, 1)


def _scenarios_by_community(community_ids: list[int], periods: list[Period]
                            ) -> tuple[list[dict[int, tuple[int, int]]], int]:
    """For each period, community id → (common, specific) scenarios run by its last day; and the common scenarios
    in the catalogue (two statements for any number of periods)."""
    from app.scenarios.models import Scenario, ScenarioAdoption

    rows = db.session.execute(
        select(ScenarioAdoption.community_id, Scenario.kind,
               *[func.sum(case((ScenarioAdoption.since <= p.end, 1), else_=0)) for p in periods])
        .join(Scenario, Scenario.id == ScenarioAdoption.scenario_id)
        .where(ScenarioAdoption.community_id.in_(community_ids), Scenario.active.is_(True),
               ScenarioAdoption.since <= max(p.end for p in periods))
        .group_by(ScenarioAdoption.community_id, Scenario.kind))
    out: list[dict[int, list[int]]] = [{cid: [0, 0] for cid in community_ids} for _p in periods]
    for cid, kind, *counts in rows:
        for i, n in enumerate(counts):
            out[i][cid][0 if kind == "common" else 1] += int(n or 0)
    common_total = db.session.scalar(select(func.count(Scenario.id)).where(Scenario.active.is_(True),
                                                                           Scenario.kind == "common")) or 0
    return [{cid: (v[0], v[1]) for cid, v in per.items()} for per in out], int(common_total)


#: what the index needs of each community (the rates of data sharing and co-governance)
RANKING_METRICS = ("issue.received", "issue.accepted", "issue.responded", "issue.resolved", "issue.rated",
                   "issue.satisfied", "wish.posted", "wish.completed")


def ranking(street: Area, period: Period, w: dict[str, int] | None = None) -> list[Score]:
    """The communities of ``street`` ranked by their index for ``period``, with the previous period's index.
    ``w``: the weights, when the caller has read them already (the page shows them too)."""
    communities = [c for c in children(street) if c.level == "community"]
    if not communities:
        return []
    ids = [c.id for c in communities]
    w = weights() if w is None else w
    staff = staffing_by_community(street)
    before = period.previous()
    # both periods of every community in one statement each: the figures, the scenarios run
    now_figs, before_figs = period_figures(ids, [period, before], RANKING_METRICS)
    (scen_now, scen_before), common_total = _scenarios_by_community(ids, [period, before])
    out = []
    for c in communities:
        mg = staff.get(c.id, (0, 0))
        scores = dimension_scores(now_figs[c.id], mg, scen_now[c.id], common_total)
        prev = dimension_scores(before_figs[c.id], mg, scen_before[c.id], common_total)
        out.append(Score(c, scores, weighted(scores, w), previous=weighted(prev, w)))
    out.sort(key=lambda s: (-s.index, s.area.name, s.area.id))
    rank = 0
    last = None
    for i, s in enumerate(out, 1):
        if s.index != last:
            rank, last = i, s.index
        s.rank = rank
    return out
