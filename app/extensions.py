"""Extension objects, created once at import and bound in create_app."""
from flask import request
from flask_babel import Babel
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Stable constraint names so Alembic can create and drop them on SQLite and PostgreSQL alike.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention))
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
htmx = HTMX()
limiter = Limiter(key_func=get_remote_address, default_limits=[], strategy="moving-window")


def client_ip() -> str:
    return request.remote_addr or "unknown"


def _sqlite_connect(dbapi_connection, _record) -> None:
    """SQLite: the driver's own transaction handling off (``_sqlite_begin_before_write`` does it); WAL; busy timeout.

    These PRAGMAs run here, outside any transaction (journal_mode cannot change inside one). WAL lets readers proceed
    during a write; the busy timeout queues writers instead of failing.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


#: statements that only read: they run on their own, each seeing what is committed at that moment
_READS = ("SELECT", "PRAGMA", "EXPLAIN")


def _sqlite_begin_before_write(conn, cursor, statement, parameters, context, executemany) -> None:
    """BEGIN IMMEDIATE right before a transaction's first statement that may write — a SAVEPOINT included.

    pysqlite's own handling (before Python 3.12's ``autocommit``) sent BEGIN before INSERT/UPDATE/DELETE but never
    before SAVEPOINT: a ``begin_nested()`` as a request's first write opened SQLite's transaction by itself, and its
    RELEASE committed for good — a failed request kept what it did (a rating saved although the rater saw an error).
    So the driver is told to leave transactions alone (``isolation_level = None``, SQLAlchemy's pysqlite recipe) and
    the transaction is begun here.

    When: SQLAlchemy's recipe sends BEGIN when SQLAlchemy begins, at the first read. A transaction that reads then
    reads one snapshot, and if another connection commits before this one writes, its write fails at once with
    SQLITE_BUSY — the busy timeout cannot help, as waiting never makes the old snapshot current: two people acting at
    once, or two hosts running the jobs, would get "database is locked". The code is written for PostgreSQL's READ
    COMMITTED (version checks and compare-and-set updates), so here too reads before the first write each see what
    is committed, and the transaction begins at the first write.
    How: IMMEDIATE takes the write lock at once, so writers queue under the busy timeout and each then reads what the
    one before committed; a DEFERRED BEGIN before a SAVEPOINT would take no lock until a later write and could fail as
    above. Requests that only read never begin a transaction, so page views never wait for writers (nor do they under
    WAL).
    """
    dbapi_connection = conn.connection.dbapi_connection
    if dbapi_connection.in_transaction or not conn.in_transaction():
        return
    if statement.lstrip(" \t\n(").upper().startswith(_READS):
        return
    dbapi_connection.execute("BEGIN IMMEDIATE")


def init_sqlite(app) -> None:
    from sqlalchemy import event

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        event.listen(db.engine, "connect", _sqlite_connect)
        event.listen(db.engine, "before_cursor_execute", _sqlite_begin_before_write)
