"""Extension objects, created once at import and bound in create_app."""
from flask import request
from flask_babel import Babel, Domain
from flask_babel import _get_current_context as _babel_context
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.exc import OperationalError

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


class _RequestDomain(Domain):
    """flask-babel's message domain, with the request's translations looked up once instead of per string.

    A page translates a few hundred strings; flask-babel finds the catalogue for each again (the locale's name built,
    the shared cache searched). Here the answer is kept on the request's babel context next to the locale it was for:
    ``force_locale`` and ``refresh`` replace that locale object, so a changed locale never reads a stale catalogue.
    """

    def get_translations(self):
        ctx = _babel_context()
        if ctx is not None:
            kept = getattr(ctx, "portal_translations", None)
            if kept is not None and kept[0] is getattr(ctx, "babel_locale", None):
                return kept[1]
        translations = super().get_translations()
        if ctx is not None and getattr(ctx, "babel_locale", None) is not None:
            ctx.portal_translations = (ctx.babel_locale, translations)
        return translations


def request_translations():
    """The request's catalogue in one lookup when it is known (what templates translate with)."""
    from flask import g

    ctx = g.get("_flask_babel")
    if ctx is not None:
        kept = ctx.__dict__.get("portal_translations")
        if kept is not None and kept[0] is ctx.__dict__.get("babel_locale"):
            return kept[1]
    from flask_babel import get_translations

    return get_translations()


def install_template_gettext(app) -> None:
    """Templates translate through ``request_translations``, with the semantics of Jinja's "newstyle" gettext (the
    translation is markup, the variables are escaped into it, ``%%`` is a percent sign) but called directly: the
    i18n extension's ``_`` resolves ``gettext`` in the context and calls it through the context again for each
    string, and flask-babel's callables find the domain, the context and the catalogue again — on every page a few
    hundred times. Every template is HTML (autoescaped), so the result is always markup."""
    from markupsafe import Markup

    def gettext(string, **variables):
        rv = Markup(request_translations().ugettext(string))
        return rv % variables if variables or "%" in rv else rv

    def ngettext(singular, plural, num, **variables):
        variables.setdefault("num", num)
        return Markup(request_translations().ungettext(singular, plural, num)) % variables

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(gettext=gettext, _=gettext, ngettext=ngettext)


class _Babel(Babel):
    @property
    def domain_instance(self):
        domain = self.__dict__.get("_request_domain")
        if domain is None:
            domain = self.__dict__["_request_domain"] = _RequestDomain(domain=self.domain)
        return domain


babel = _Babel()
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


# ---------------------------------------------------------------- read replica (DATABASE_URL_READ)
#
# Public lists (the wish wall, Open311's request list, figures and dashboards) may read from a replica of the primary
# database. A route opts in with ``@reads_replica``; code inside a route or service can use ``with reading():``.
# Only plain SELECTs go there: a SELECT … FOR UPDATE, every write, and every read after this request has written
# go to the primary. Read-your-writes across requests: a request that wrote leaves a mark in the (signed) session
# cookie, and for READ_YOUR_WRITES_SECONDS after it that browser's reads stay on the primary, so a person sees their
# own change at once although the replica may lag a little. Without DATABASE_URL_READ all of this does nothing: every
# read goes to the primary, as before.

READ_ENGINE = "portal_read_engine"
#: session key holding the time (epoch seconds) until which this browser reads from the primary
READ_PRIMARY_UNTIL = "_rp"


def read_engine():
    """The replica's engine, or None when DATABASE_URL_READ is not set (or outside an app context)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    return current_app.extensions.get(READ_ENGINE)


def _wrote() -> None:
    from flask import g, has_app_context

    if has_app_context():
        g._portal_wrote = True


def _has_session_cookie() -> bool:
    from flask import current_app, has_request_context

    return has_request_context() and current_app.config.get("SESSION_COOKIE_NAME", "session") in request.cookies


def _recently_wrote() -> bool:
    """This browser wrote a moment ago (the mark in its session cookie): read from the primary."""
    import time

    from flask import session

    if not _has_session_cookie():
        return False  # no cookie, no mark (and an API client's answer does not start to vary on a cookie)
    until = session.get(READ_PRIMARY_UNTIL)
    return isinstance(until, int | float) and until > time.time()


def replica_wanted() -> bool:
    """True while reads may go to the replica: asked for (``reads_replica`` / ``reading``), a replica is configured,
    this request has not written, and this browser has not written in the last READ_YOUR_WRITES_SECONDS."""
    from flask import g

    if read_engine() is None or not g.get("_portal_reading") or g.get("_portal_wrote"):
        return False
    if _replica_down():
        return False
    if "_portal_recent_write" not in g:
        g._portal_recent_write = _recently_wrote()
    return not g._portal_recent_write


def _route_reads(state) -> None:
    """``do_orm_execute``: send a plain SELECT to the replica when the request reads from it; note every write."""
    if state.is_insert or state.is_update or state.is_delete:
        _wrote()
        return
    if not state.is_select:
        text_ = str(getattr(state.statement, "text", "")).lstrip(" \t\n(").upper()
        if text_ and not text_.startswith(("SELECT", "WITH", "SHOW", "EXPLAIN")):
            _wrote()  # a text() statement that changes something
        return
    if "bind" in state.bind_arguments or not replica_wanted():
        return
    if getattr(state.statement, "_for_update_arg", None) is not None:
        return  # a row lock is only meaningful on the primary
    session = state.session
    if session.new or session.dirty or session.deleted:
        return  # pending changes are flushed to the primary before this SELECT: read them there
    state.bind_arguments["bind"] = read_engine()
    from flask import g

    g._portal_replica_used = True


#: after the replica failed, this process reads from the primary for this long before trying it again
REPLICA_RETRY_SECONDS = 30
_REPLICA_DOWN = "portal_read_down_until"


def _replica_down() -> bool:
    import time

    from flask import current_app

    return current_app.extensions.get(_REPLICA_DOWN, 0) > time.monotonic()


def _replica_failed(exc) -> None:
    import time

    from flask import current_app

    current_app.extensions[_REPLICA_DOWN] = time.monotonic() + REPLICA_RETRY_SECONDS
    current_app.logger.warning("The read replica (DATABASE_URL_READ) failed (%s: %s); reading from the primary "
                               "for %s seconds.", type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "",
                               REPLICA_RETRY_SECONDS)


def _after_flush(session, _context) -> None:
    _wrote()


def reads_replica(view):
    """Route decorator: this page's (or answer's) SELECTs may go to the read replica, when one is configured.

    Meant for public lists whose readers tolerate a lag of a few seconds. The signed-in person is loaded from the
    primary first (a deactivated account or a changed password takes effect at once)."""
    from functools import wraps

    from flask import g

    @wraps(view)
    def wrapper(*args, **kwargs):
        if read_engine() is None:
            return view(*args, **kwargs)
        if _has_session_cookie():
            from flask_login import current_user

            _ = current_user.is_authenticated  # loads the person from the primary, before reads move away
        g._portal_reading = True
        try:
            return view(*args, **kwargs)
        except OperationalError as exc:
            if not g.pop("_portal_replica_used", False):
                raise
            # the replica is down or unreachable: this list only reads, so it is read again from the primary
            db.session.rollback()
            _replica_failed(exc)
            g._portal_reading = False
            return view(*args, **kwargs)

    return wrapper


class reading:  # noqa: N801 — used like a function: ``with reading(): …``
    """``with reading(): rows = …`` — the SELECTs inside may go to the read replica (see ``reads_replica``)."""

    def __enter__(self):
        from flask import g

        self._before = g.get("_portal_reading", False)
        g._portal_reading = True
        return self

    def __exit__(self, *exc):
        from flask import g

        g._portal_reading = self._before
        return False


def _mark_recent_write(response):
    """after_request: a request that wrote keeps this browser on the primary for READ_YOUR_WRITES_SECONDS."""
    import time

    from flask import current_app, g, session

    if g.get("_portal_wrote") and _has_session_cookie():
        seconds = int(current_app.config.get("READ_YOUR_WRITES_SECONDS", 0) or 0)
        if seconds > 0:
            session[READ_PRIMARY_UNTIL] = int(time.time()) + seconds
    return response


def init_read_replica(app) -> None:
    """Create the replica's engine when DATABASE_URL_READ is set, and route reads as described above."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.orm import Session

    url = app.config.get("DATABASE_URL_READ")
    if not url:
        return  # no listener either: an ORM statement costs what it did (do_orm_execute hooks add work to each)
    if not event.contains(Session, "do_orm_execute", _route_reads):
        event.listen(Session, "do_orm_execute", _route_reads)
        event.listen(Session, "after_flush", _after_flush)
    if url.startswith("sqlite"):
        options = {"connect_args": {"timeout": 30, "check_same_thread": False}}
    else:  # a replica that does not answer costs a request a few seconds at most, then is left alone for a while
        options = {"pool_pre_ping": True, "connect_args": {"connect_timeout": 3}}
    app.extensions[READ_ENGINE] = create_engine(url, **options)
    app.after_request(_mark_recent_write)


# ---------------------------------------------------------------- sessions signed by another key

_BAD_SIGNATURE_LOG_EVERY = 600  # seconds: one warning per process and interval, however many cookies


def init_sessions(app) -> None:
    """Signed-cookie sessions, as Flask's own, that say so in the log when cookies signed with another key arrive.

    Every host must sign with the same SECRET_KEY: a session cookie from a host with another key is refused here
    (the person is signed out; their form "expires"). That happens once for everybody after the key is changed, and
    all the time when the hosts behind a load balancer do not share the key — the warning names the cause."""
    import time

    from flask.sessions import SecureCookieSessionInterface
    from itsdangerous import BadSignature, SignatureExpired

    class SessionInterface(SecureCookieSessionInterface):
        last_warning = -float(_BAD_SIGNATURE_LOG_EVERY)

        def open_session(self, app, request):
            session = super().open_session(app, request)
            raw = request.cookies.get(self.get_cookie_name(app))
            if raw and not session and session is not None:
                serializer = self.get_signing_serializer(app)
                try:
                    serializer.loads(raw, max_age=int(app.permanent_session_lifetime.total_seconds()))
                except SignatureExpired:
                    pass  # an old session: nothing wrong
                except BadSignature:
                    if time.monotonic() - SessionInterface.last_warning > _BAD_SIGNATURE_LOG_EVERY:
                        SessionInterface.last_warning = time.monotonic()
                        app.logger.warning(
                            "A session cookie signed with another SECRET_KEY was refused (the person is signed "
                            "out). After a change of the key this is expected for a while; otherwise the hosts "
                            "behind the load balancer do not share one SECRET_KEY — set the same value on each.")
            return session

    app.session_interface = SessionInterface()
