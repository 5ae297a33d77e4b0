"""A request's photo is seen by whoever may see the request."""
from __future__ import annotations

from app.extensions import db
from app.stations.models import ServiceRequest
from app.stations.policy import can_view_request
from app.uploads.policy import photo_viewer


@photo_viewer(ServiceRequest.__tablename__)
def may_see_request_photo(user, request_id: int) -> bool:
    req = db.session.get(ServiceRequest, request_id)
    return req is not None and can_view_request(user, req)
