"""The bare stack the portal is measured against: Flask + SQLAlchemy (ORM) + Jinja, one page listing the 20 newest
rows of an indexed table, with a layout template — what any page of any Flask site costs before it does anything
of its own.

    BASELINE_DATABASE_URL=sqlite:///… gunicorn -w 2 'bench.baseline:create_app()'
    python bench/baseline.py fill N            # creates the table with N rows (once)
"""
from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta

from flask import Flask, request
from sqlalchemy import DateTime, Index, Integer, String, Text, create_engine, func, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "bench_baseline_row"
    __table_args__ = (Index("ix_bench_baseline_row_list", "created_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime)


LAYOUT = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %}</title></head>
<body><header><nav><a href="/">Home</a></nav></header><main>{% block content %}{% endblock %}</main></body></html>
"""
PAGE = """{% extends layout %}{% block title %}Rows{% endblock %}{% block content %}
<h1>Rows</h1>
{% for row in rows %}<article class="card"><h3><a href="/rows/{{ row.id }}">{{ row.title }}</a></h3>
<p class="meta"><span>{{ row.place }}</span> <span>{{ row.created_at.strftime('%Y-%m-%d %H:%M') }}</span></p>
<p>{{ row.body|truncate(90) }}</p></article>
{% endfor %}
{% if rows %}<a href="/?after={{ rows[-1].id }}">More</a>{% endif %}
{% endblock %}"""


def database_url() -> str:
    return os.environ.get("BASELINE_DATABASE_URL", "sqlite:///baseline.sqlite3")


def fill(engine, n: int) -> None:
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        if session.scalar(select(func.count()).select_from(Row)) >= n:
            return
        session.execute(Row.__table__.delete())
        start = datetime(2026, 1, 1)
        for first in range(1, n + 1, 20_000):
            session.execute(insert(Row), [
                {"id": i, "title": f"第{i}条心愿", "body": "家里有困难，希望好心人帮一把。" * (1 + i % 3),
                 "place": f"社区{i % 500}", "created_at": start + timedelta(minutes=i)}
                for i in range(first, min(n, first + 19_999) + 1)])
        session.commit()


def create_app() -> Flask:
    app = Flask(__name__)
    engine = create_engine(database_url(), pool_pre_ping=True)
    app.jinja_env.globals["layout"] = app.jinja_env.from_string(LAYOUT)
    page = app.jinja_env.from_string(PAGE)

    @app.get("/")
    def index():
        after = request.args.get("after", type=int)
        stmt = select(Row).order_by(Row.created_at.desc(), Row.id.desc()).limit(20)
        if after:
            stmt = stmt.where(Row.id < after)
        with Session(engine) as session:
            rows = list(session.scalars(stmt))
            return page.render(rows=rows)

    return app


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "fill":
    fill(create_engine(database_url()), int(sys.argv[2]))
