"""Stored photos carry pixels and nothing else: no EXIF, XMP, comment (COM), ICC profile or PNG text, whatever came in.

Checked on the stored file's bytes: every JPEG segment is walked and only the ones that draw the picture (and the
JFIF header) may be there. One photo goes through a real form, the rest through ``store_image``.
"""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image, ImageCms, PngImagePlugin
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.timeutil import local_today
from app.uploads.models import Upload
from app.uploads.services import store_image
from app.wishes.models import Wish

SECRET = b"GPS 31.54N camera-serial-0042"
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description>' + SECRET + b'</rdf:Description></rdf:RDF></x:xmpmeta>')
#: markers a picture needs: start/end of image, JFIF (APP0), quantisation and Huffman tables, frame, scan, restart
ALLOWED = {0xD8, 0xD9, 0xE0, 0xDB, 0xC4, 0xC0, 0xC1, 0xC2, 0xDA, 0xDD}


def _icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _swapped_icc() -> bytes:
    """sRGB with the red and blue colorant tags' data swapped (the tag table starts at byte 128)."""
    icc = bytearray(_icc())
    count = int.from_bytes(icc[128:132], "big")
    where = {bytes(icc[132 + 12 * i:136 + 12 * i]): 136 + 12 * i for i in range(count)}
    r, b = where[b"rXYZ"], where[b"bXYZ"]
    icc[r:r + 8], icc[b:b + 8] = icc[b:b + 8], icc[r:r + 8]
    icc[84:100] = bytes(16)  # no profile id (it would no longer match)
    return bytes(icc)


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = SECRET.decode()  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 54.0, 0.0)}  # GPS
    return exif


def loaded_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 120, 200)).save(out, "JPEG", exif=_exif(), icc_profile=_icc(), xmp=XMP,
                                                    comment=SECRET)
    return out.getvalue() + b"\xff\xfe trailing " + SECRET


def loaded_png() -> bytes:
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", SECRET.decode())
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 200, 0, 128)).save(out, "PNG", pnginfo=text, icc_profile=_icc(), exif=_exif())
    return out.getvalue()


def loaded_webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 40), (200, 0, 0)).save(out, "WEBP", exif=_exif(), icc_profile=_icc(), xmp=XMP)
    return out.getvalue()


def segments(data: bytes) -> list[int]:
    """The markers of a JPEG file's segments, in order, up to the end of image (which must be the last bytes)."""
    assert data[:2] == b"\xff\xd8"
    markers, i = [0xD8], 2
    while True:
        assert data[i] == 0xFF, f"no marker at {i}"
        marker = data[i + 1]
        markers.append(marker)
        if marker == 0xD9:
            assert i + 2 == len(data), "bytes after the end of the image"
            return markers
        length = int.from_bytes(data[i + 2:i + 4], "big")
        i += 2 + length
        if marker == 0xDA:  # entropy-coded data runs to the next marker that is not a stuffed byte or a restart
            while not (data[i] == 0xFF and data[i + 1] not in (0x00, *range(0xD0, 0xD8))):
                i += 1


def assert_pixels_only(app, upload: Upload) -> None:
    with open(f"{app.config['UPLOAD_DIR']}/{upload.relpath}", "rb") as fh:
        data = fh.read()
    markers = segments(data)
    assert set(markers) <= ALLOWED, [hex(m) for m in markers if m not in ALLOWED]
    assert markers.count(0xE0) == 1
    assert SECRET not in data and b"xmpmeta" not in data and b"ICC_PROFILE" not in data and b"Exif" not in data
    with Image.open(io.BytesIO(data)) as img:
        assert not img.getexif() and "icc_profile" not in img.info and "comment" not in img.info


@pytest.mark.parametrize("make", [loaded_jpeg, loaded_png, loaded_webp])
def test_every_format_is_stored_without_metadata(app, make):
    data = make()
    with Image.open(io.BytesIO(data)) as original:  # the test input really carries them
        assert original.info.get("icc_profile")
    upload = store_image(FileStorage(io.BytesIO(data), filename="photo"))
    db.session.commit()
    assert_pixels_only(app, upload)


def test_a_photo_with_another_colour_profile_is_converted_to_srgb_not_just_stripped(app):
    """Dropping a profile without applying it would shift the colours: the stored pixels are the sRGB rendering.
    A profile whose red and blue primaries are swapped turns a red photo blue once rendered in sRGB."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 0, 0)).save(out, "JPEG", quality=95, icc_profile=_swapped_icc())
    upload = store_image(FileStorage(io.BytesIO(out.getvalue()), filename="photo.jpg"))
    db.session.commit()
    assert_pixels_only(app, upload)
    with Image.open(f"{app.config['UPLOAD_DIR']}/{upload.relpath}") as stored:
        r, g, b = stored.convert("RGB").getpixel((8, 8))
    assert b > 150 and r < 60, (r, g, b)


def test_a_photo_posted_with_a_wish_is_stored_without_metadata(app, client, city):
    client.login("resident_a")
    r = client.post("/wishes/new", {
        "category": "study", "title": "A desk lamp", "description": "My grandson needs a lamp for homework.",
        "value": "80", "wanted_by": (local_today() + timedelta(days=20)).isoformat(), "post_key": "key-0123456789",
        "photo": (io.BytesIO(loaded_jpeg()), "lamp.jpg")})
    assert r.status_code == 303
    wish = db.session.scalar(select(Wish).order_by(Wish.id.desc()).limit(1))
    assert_pixels_only(app, db.session.get(Upload, wish.photo_id))
