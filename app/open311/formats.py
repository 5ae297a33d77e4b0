"""GeoReport v2 output: one Python structure, rendered as JSON or as XML.

The JSON is the spec's "Spark convention" mapping of the XML: a container element holding one kind of repeated
child becomes a JSON array, everything else an object. So a structure is written once, as the JSON it should be,
and ``to_xml`` names the elements — the root, and for each array the name of its items (``CHILD``).

XML is built with ElementTree (text is escaped there), without a namespace, preceded by the declaration with
``encoding="utf-8"``, and served as ``text/xml; charset=utf-8``; JSON as ``application/json; charset=utf-8``.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from flask import Response

#: container element → the element name of each of its items
CHILD = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
FORMATS = ("json", "xml")
MIMETYPES = {"json": "application/json", "xml": "text/xml"}

# characters XML 1.0 cannot carry at all (even escaped): C0 controls except tab, newline, carriage return
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_safe(str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, (list, tuple)):
        item_name = CHILD.get(element.tag)
        if item_name is None:  # a programming error, not a client's: every array needs a declared item name
            raise KeyError(f"no XML item name declared for array <{element.tag}>")
        for child in value:
            _fill(ET.SubElement(element, item_name), child)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    body = ET.tostring(element, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(fmt: str, root: str, data: Any, status: int = 200) -> Response:
    """``root`` is the XML root element (``services``, ``service_requests``, ``discovery`` …)."""
    if fmt == "xml":
        body = to_xml(root, data)
    else:
        fmt = "json"
        body = to_json(data)
    response = Response(body, status=status, mimetype=MIMETYPES[fmt])
    response.charset = "utf-8"
    response.headers["Content-Type"] = f"{MIMETYPES[fmt]}; charset=utf-8"
    return response


def render_errors(fmt: str, status: int, errors: list[tuple[int, str]]) -> Response:
    """The spec's error document: ``<errors><error><code/><description/></error></errors>`` or its JSON array."""
    return render(fmt, "errors", [{"code": code, "description": str(text)} for code, text in errors], status)
