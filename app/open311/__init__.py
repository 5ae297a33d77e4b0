"""Open311 GeoReport v2 for the issue tracker, under ``/open311/v2/`` (http://wiki.open311.org/GeoReport_v2).

Endpoints, each as ``.json`` and ``.xml``: ``discovery``, ``services``, ``services/<service_code>``,
``requests`` (GET, and POST with ``api_key``), ``requests/<service_request_id>``, ``tokens/<token>``.

Choices this implementation makes where the specification leaves room:

- **Services** are the active issue categories of public kinds (neighbour disputes are private and stay off the
  API). ``service_code`` is the category's code. Every service has ``metadata`` true and two attributes: an
  informational one (``LOCATION_HELP``, ``variable`` false) explaining the location parameters below, and the
  optional ``ANONYMOUS`` (yes/no) that hides the reporter's name from the public.
- **Location** (POST): one of ``lat`` & ``long``, ``address_string`` or ``address_id`` is required, as the spec
  says. ``address_id`` is the ``code`` of an area of the portal (a micro-grid, or a larger area when the
  micro-grid is not known) and decides where the issue is filed. Without ``address_id`` the issue is filed in
  the API key's **default area**, chosen by the city admin who issued the key. ``lat``/``long`` and
  ``address_string`` are stored with the issue (the portal has no geocoder, so they do not pick the area).
- **Requests** are created synchronously (service ``type`` realtime) through the issue tracker's ``report_issue``
  (channel ``open311``, no reporter account; first/last name, phone and email are kept as the reporter's contact,
  never published). Open311 is an adapter over the issue service, not a domain of its own, so calling
  ``app.issues.services.report_issue`` directly is intended. The POST body must be form-encoded; the answer is
  ``201 Created`` with a ``Location`` header and the ``service_request_id`` (the issue id, as a string) and, as the spec
  asks, no ``token``. A token is still stored for every request created through the API (``Open311Request``, also
  the issue's ``external_id``) and sent in the ``X-Open311-Token`` response header, so ``tokens/<token>`` answers.
  ``device_id``, ``account_id``, ``media_url`` and the attributes are kept in ``Open311Request``.
- **Status** is ``open`` while somebody must act (reported, accepted, in progress) and ``closed`` once
  resolved, closed, rejected or marked duplicate; ``status_notes`` carries our detailed state (``in_progress: …``,
  and for a rejected request the reason it was not accepted).
  ``agency_responsible`` is the area whose people handle the issue at its current level. Datetimes are ISO 8601
  with the deployment's offset (e.g. ``+08:00``).
- **GET requests** show what the portal's public pages show (public categories, not rejected reports — except
  that a request filed through this API stays visible once rejected, as ``closed`` with the reason in
  ``status_notes``, so the app that filed it can tell its user what happened), at most a
  90-day span and the first 1000 (``OPEN311_MAX_REQUESTS``), newest first. Reporter names and contacts are never
  returned. ``lat``/``long`` are rounded to 3 decimals (about 100 m): the portal shows the exact position only to
  the reporter and the handlers, so the public API gives the neighbourhood, not the doorstep; ``address_id`` (the
  area's code) is returned as is.
- **Language**: names and messages follow ``Accept-Language`` (zh_CN by default, or English).
- **Errors** are the spec's ``<errors>`` document / JSON array: 400 for a request that cannot be fulfilled (bad
  date, ``lat=abc``, a description longer than the portal allows (``ISSUES_DESCRIPTION_MAX``, 2,000; never more
  than the spec's 4,000) …), 403 for a missing, unknown or revoked ``api_key``,
  404 for an unknown service_code (service definition, POST), request or token, 429 when rate limited; an unknown
  service_code used as a GET requests filter is a 400.
- **API keys** are issued and revoked by a city admin at ``/open311/keys`` (blueprint ``open311_admin``, a
  normal HTML page with CSRF). Only a SHA-256 hash of each key is stored. POSTs are rate limited per key
  (``OPEN311_LIMIT_PER_KEY``) and every API request per IP (``OPEN311_LIMIT_PER_IP``).

The API blueprint is exempt from CSRF (clients authenticate with ``api_key``, never with a session cookie).
"""
from flask import Blueprint

from app.web.access import always_reachable

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
always_reachable(bp)  # clients authenticate with an api_key: a temporary password of a browser session is no matter

#: HTML administration of API keys (city admins). ``create_app`` registers only ``bp``; registering ``bp``
#: registers this one too, so no change to app/__init__.py is needed.
admin_bp = Blueprint("open311_admin", __name__, url_prefix="/open311")


@bp.record_once
def _register_admin(state) -> None:
    state.app.register_blueprint(admin_bp)
