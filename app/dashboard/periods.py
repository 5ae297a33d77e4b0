"""The period a dashboard shows: this month, last month, this year, or custom dates (local days, both inclusive)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.errors import DomainError
from app.timeutil import local_today

KINDS = ("this_month", "last_month", "this_year", "custom")
KIND_LABELS = {"this_month": _l("This month"), "last_month": _l("Last month"), "this_year": _l("This year"),
               "custom": _l("Custom dates")}
#: the longest custom period (the roll-up answers any, but a 20-year span is a typing mistake)
MAX_DAYS = 3 * 366


class PeriodError(DomainError):
    pass


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _month_end(day: date) -> date:
    nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def args(self) -> dict:
        if self.kind == "custom":
            return {"period": "custom", "start": self.start.isoformat(), "end": self.end.isoformat()}
        return {"period": self.kind}

    def previous(self) -> "Period":
        """The period before, of the same kind: the month before, the year before, or as many days before."""
        if self.kind in ("this_month", "last_month"):
            end = self.start - timedelta(days=1)
            return Period("custom", _month_start(end), _month_end(end))
        if self.kind == "this_year":
            return Period("custom", self.start.replace(year=self.start.year - 1),
                          self.end.replace(year=self.start.year - 1) if not (self.end.month == 2 and self.end.day == 29)
                          else date(self.start.year - 1, 2, 28))
        return Period("custom", self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @classmethod
    def of(cls, kind: str, today: date | None = None) -> "Period":
        today = today or local_today()
        if kind == "last_month":
            end = _month_start(today) - timedelta(days=1)
            return cls(kind, _month_start(end), end)
        if kind == "this_year":
            return cls(kind, today.replace(month=1, day=1), today)
        return cls("this_month", _month_start(today), today)

    @classmethod
    def parse(cls, args, today: date | None = None) -> "Period":
        """From ``?period=…&start=…&end=…``; raises PeriodError (with the field) on dates that make no sense."""
        kind = args.get("period") or "this_month"
        if kind not in KINDS:
            raise PeriodError(_("Choose this month, last month, this year or custom dates."), "period")
        if kind != "custom":
            return cls.of(kind, today)
        days = {}
        for name in ("start", "end"):
            raw = (args.get(name) or "").strip()
            try:
                days[name] = date.fromisoformat(raw)
            except ValueError:
                raise PeriodError(_("“%(value)s” is not a date; write it as YYYY-MM-DD.", value=raw[:20]),
                                  name) from None
            if not 2000 <= days[name].year <= 2100:
                raise PeriodError(_("Choose a date between 2000 and 2100."), name)
        if days["end"] < days["start"]:
            raise PeriodError(_("The period ends before it starts."), "end")
        if (days["end"] - days["start"]).days + 1 > MAX_DAYS:
            raise PeriodError(_("A period can span at most three years."), "end")
        return cls("custom", days["start"], days["end"])
