"""The geometry of the dashboard's SVG charts (templates/dashboard/_charts.html), computed in Python once per chart
instead of in template loops: where each point, tick and bar lies. The templates only write the elements out."""
from __future__ import annotations

from datetime import date

from flask import current_app
from jinja2.filters import do_truncate


def trend(months: list[date], lines: list[tuple[str, list[int]]], colours: list[str], height: int, width: int,
          left: int, bottom: int, top: int) -> dict:
    """{"ymax", "ticks": [(x, text-anchor, label)], "lines": [(points, colour)]} of the monthly trend."""
    ymax = max([1] + [max(values) if values else 0 for _label, values in lines])
    n = len(months)
    step = (width - left - 6) / ((n - 1) if n > 1 else 1)
    ticks = [(f"{left + i * step:.1f}", "end" if i == n - 1 else ("start" if i == 0 else "middle"),
              month.strftime("%y-%m"))
             for i, month in enumerate(months) if i % 3 == 0 or i == n - 1]
    span = height - bottom - top
    out = [(" ".join(f"{left + i * step:.1f},{height - bottom - (v / ymax) * span:.1f}"
                     for i, v in enumerate(values)), colours[k])
           for k, (_label, values) in enumerate(lines)]
    return {"ymax": ymax, "ticks": ticks, "lines": out}


def bars(rows: list[tuple[str, int, str | None]], row_height: int) -> dict:
    """{"height", "bars": [(short label, count, text y, bar y, bar width, count x)]} of a bar chart."""
    peak = max([1] + [count for _label, count, _link in rows])
    env = current_app.jinja_env
    out = []
    for i, (label, count, _link) in enumerate(rows):
        y = i * row_height + 2
        share = (count / peak) * 170
        out.append((do_truncate(env, label, 9, True, "…"), count, y + 14, y + 3, f"{share:.1f}",
                    f"{114 + share:.1f}"))
    return {"height": len(rows) * row_height + 4, "bars": out}
