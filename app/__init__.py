"""澄心治 — community co-governance portal."""
from __future__ import annotations

from flask import Flask, g, has_request_context, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import load_config
from app.extensions import babel, csrf, db, htmx, init_sqlite, limiter, login_manager, migrate

_locales: dict = {}


def _locale(name: str):
    """The babel ``Locale`` of a name, made once per process: flask-babel would parse the name again on every
    request, and parsing searches babel's locale data on disk."""
    locale = _locales.get(name)
    if locale is None:
        from babel import Locale

        locale = _locales[name] = Locale.parse(name)
    return locale


def select_locale():
    return _locale(_select_locale_name())


def _select_locale_name() -> str:
    from flask import current_app

    langs = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in langs:
        return chosen
    # only a user already loaded for this request: loading one here could recurse through Flask-Login's messages.
    # Never a lazy load either: a message is often translated just after a flush failed (someone else changed the
    # row meanwhile), when the session refuses every query until the route rolls back — so the locale remembered
    # when the user was loaded, else the value already in memory, else a load only while the session is healthy.
    user = g.get("_login_user")
    if user is not None:
        remembered = g.get("_user_locale")
        if remembered is not None and remembered[0] is user:
            locale = remembered[1]
        else:
            from sqlalchemy import inspect
            from sqlalchemy.exc import NoInspectionAvailable

            try:
                loaded = inspect(user).dict
            except NoInspectionAvailable:  # the anonymous user
                loaded = None
            locale = loaded.get("locale") if loaded is not None else None
            if loaded is not None and "locale" not in loaded and db.session.is_active:
                locale = user.locale
        if locale in langs:
            return locale
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    if best == "en":
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def create_app(config: str | dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, template_folder="../templates")
    load_config(app, config)
    if app.config.get("PROXY_FIX"):
        n = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    db.init_app(app)
    init_sqlite(app)
    from app.extensions import init_read_replica, init_sessions  # several hosts: a replica, one signing key

    init_read_replica(app)
    init_sessions(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    from app.extensions import install_template_gettext

    install_template_gettext(app)
    htmx.init_app(app)
    limiter.init_app(app)

    from app import domains

    domains.modules("models")  # every table registered before anything queries
    from app.web.setup import init_web

    init_web(app)
    # ids in URLs stay within the id columns' range (32-bit): a larger one would make the database fail ("integer
    # out of range" on PostgreSQL) instead of giving a 404
    from werkzeug.routing import IntegerConverter

    from app.web.params import MAX_ID

    class BoundedInt(IntegerConverter):
        def __init__(self, map, *args, **kwargs):
            kwargs.setdefault("max", MAX_ID)
            super().__init__(map, *args, **kwargs)

    app.url_map.converters["int"] = BoundedInt
    _register_blueprints(app)
    _register_cli(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from app import domains

    for bp in domains.blueprints():  # each domain's routes attach to its ``bp`` when imported
        app.register_blueprint(bp)


def _register_cli(app: Flask) -> None:
    from app.cli import bench_cli, dashboard_cli, demo_cli, i18n_cli, jobs_cli, users_cli

    for group in (demo_cli, users_cli, jobs_cli, i18n_cli, dashboard_cli, bench_cli):
        app.cli.add_command(group)
