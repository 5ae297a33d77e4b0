"""gzip for text responses (pages, fragments, CSS, JS, JSON, XML): weak 4G is the budget we design for."""
from __future__ import annotations

import gzip

from flask import Flask, Response, current_app, request

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")
_static_cache: dict[tuple[str, int], bytes] = {}


def init_compression(app: Flask) -> None:
    app.after_request(compress_response)


def compress_response(response: Response) -> Response:
    if "gzip" not in request.headers.get("Accept-Encoding", "").lower():
        return response
    if response.status_code < 200 or response.status_code >= 300 or "Content-Encoding" in response.headers:
        return response
    if not response.mimetype.startswith(COMPRESSIBLE) or response.is_streamed and not response.direct_passthrough:
        return response
    response.vary.add("Accept-Encoding")
    if response.direct_passthrough:  # static file: compress once per file version
        key = (request.path, int(response.last_modified.timestamp()) if response.last_modified else 0)
        body = _static_cache.get(key)
        if body is None:
            body = gzip.compress(b"".join(response.response), compresslevel=9)
            _static_cache[key] = body
        if hasattr(response.response, "close"):
            response.response.close()
        response.direct_passthrough = False
    else:
        data = response.get_data()
        if len(data) < current_app.config.get("COMPRESS_MIN_BYTES", 500):
            return response
        body = gzip.compress(data, compresslevel=6)
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Length"] = str(len(body))
    if response.headers.get("ETag"):
        etag, weak = response.get_etag()
        response.set_etag(etag + "-gz", weak=weak)
    return response
