"""gzip for text responses (pages, fragments, CSS, JS, JSON, XML): weak 4G is the budget we design for.

A compressed response is another representation of the same resource, so it carries its own ETag (the identity
ETag with ``-gz`` appended): a cache never mixes the two, and a browser revalidating its gzip copy with
``If-None-Match: "...-gz"`` is answered 304 without a body instead of the whole file again.
"""
from __future__ import annotations

import gzip

from flask import Flask, Response, current_app, request

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")
GZIP_ETAG_SUFFIX = "-gz"
_static_cache: dict[tuple[str, int], bytes] = {}


def init_compression(app: Flask) -> None:
    app.after_request(compress_response)


def _accepts_gzip() -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def _compressible(response: Response) -> bool:
    return response.mimetype.startswith(COMPRESSIBLE)


def compress_response(response: Response) -> Response:
    if not _compressible(response) or "Content-Encoding" in response.headers:
        return response
    if response.status_code == 304:
        # a conditional GET already answered (by send_file): which representation it confirms depends on the encoding
        response.vary.add("Accept-Encoding")
        return response
    if not 200 <= response.status_code < 300 or response.is_streamed and not response.direct_passthrough:
        return response
    if response.status_code == 206 or "Content-Range" in response.headers:
        return response  # a byte range of the identity file must stay one
    response.vary.add("Accept-Encoding")  # also on the identity answer: a shared cache must not hand it to others
    if not _accepts_gzip():
        return response
    if response.direct_passthrough:  # static file: compress once per file version
        etag, weak = response.get_etag()
        if etag:
            response.set_etag(etag + GZIP_ETAG_SUFFIX, weak=weak)
            # send_file compared If-None-Match with the identity ETag; compare again with the gzip one
            response.make_conditional(request)
            if response.status_code == 304:
                _close(response)
                return response
        key = (request.path, int(response.last_modified.timestamp()) if response.last_modified else 0)
        body = _static_cache.get(key)
        if body is None:
            body = gzip.compress(b"".join(response.response), compresslevel=9)
            _static_cache[key] = body
        _close(response)
        response.direct_passthrough = False
    else:
        data = response.get_data()
        if len(data) < current_app.config.get("COMPRESS_MIN_BYTES", 500):
            return response
        body = gzip.compress(data, compresslevel=6)
        if response.headers.get("ETag"):
            etag, weak = response.get_etag()
            response.set_etag(etag + GZIP_ETAG_SUFFIX, weak=weak)
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Length"] = str(len(body))
    return response


def _close(response: Response) -> None:
    if hasattr(response.response, "close"):
        response.response.close()
