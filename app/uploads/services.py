"""Store an uploaded photo safely.

Only JPEG, PNG and WebP are accepted, judged by decoding the bytes (not the file name or the browser's
content type). Every image is re-encoded as JPEG from its pixels alone: no metadata survives — EXIF (GPS
position, camera serial), XMP, comments (COM), ICC profiles (colours are converted to sRGB first, so a wide-gamut
phone photo keeps its look), PNG text chunks — and neither does any trailing payload; orientation is applied, and
the longest side is capped. If the transaction that
references a file rolls back, the file is removed, so failed forms leave no orphans on disk.
"""
from __future__ import annotations

import io
import os
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.timeutil import utcnow
from app.uploads.models import Upload

# MPO is how Pillow names a JPEG carrying extra pictures (many phones' HDR / depth photos); only the first is kept
ALLOWED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo is fine; a decompression bomb is not


class UploadError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def has_file(file_storage) -> bool:
    return bool(file_storage is not None and getattr(file_storage, "filename", ""))


def read_limited(file_storage) -> bytes:
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    data = file_storage.stream.read(limit + 1)
    if len(data) > limit:
        raise UploadError(_l("Each photo may be at most %(mb)s MB.", mb=limit // (1024 * 1024)))
    if not data:
        raise UploadError(_l("The photo file is empty."))
    return data


def check_image(file_storage) -> bytes:
    """Validate without storing: returns the bytes if they are an acceptable image, else raises UploadError."""
    data = read_limited(file_storage)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise UploadError(_l("Only JPEG, PNG or WebP photos are accepted."))
            if probe.width * probe.height > MAX_PIXELS:
                raise UploadError(_l("The photo has too many pixels. Please send a smaller one."))
            probe.verify()
    except UploadError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UploadError(_l("Only JPEG, PNG or WebP photos are accepted.")) from None
    try:
        # verify() barely looks at JPEG data: decode every pixel now, so a cut-off or damaged file is refused
        # here, before anything changes, and not half-way through the service
        with Image.open(io.BytesIO(data)) as img:
            img.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UploadError(_l("The photo could not be read; the file may be damaged. Please choose it again.")) from None
    return data


def _in_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB pixels in sRGB: an embedded colour profile is applied (then dropped with the rest of the metadata)."""
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            return ImageCms.profileToProfile(img, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken profile: keep the pixels as they are
    return img if img.mode == "RGB" else img.convert("RGB")


def _pixels_only(img: Image.Image) -> Image.Image:
    """A new image holding nothing but ``img``'s pixels: Pillow carries ``info`` (comment, XMP, ICC …) along through
    every operation, and the JPEG encoder writes some of it back (a COM segment survived that way)."""
    return Image.frombytes("RGB", img.size, img.tobytes())


def store_image(file_storage, *, owner=None, subject=None, data: bytes | None = None) -> Upload:
    """Validate, re-encode and store one photo; returns the flushed Upload row."""
    if data is None:
        data = check_image(file_storage)
    try:
        with Image.open(io.BytesIO(data)) as img:
            icc = img.info.get("icc_profile")
            img = ImageOps.exif_transpose(img)
            if img.mode in ("RGBA", "LA", "P", "PA"):
                img = img.convert("RGBA")
                background = Image.new("RGB", img.size, (255, 255, 255))
                background.paste(img, mask=img.split()[-1])
                img = background
            img = _in_srgb(img, icc)
            side = current_app.config["UPLOAD_MAX_SIDE"]
            img.thumbnail((side, side))
            img = _pixels_only(img)
            out = io.BytesIO()
            img.save(out, "JPEG", quality=82, optimize=True, progressive=True)
            width, height = img.size
    except (OSError, ValueError, Image.DecompressionBombError):
        raise UploadError(_l("Only JPEG, PNG or WebP photos are accepted.")) from None

    token = secrets.token_urlsafe(16)
    now = utcnow()
    relpath = f"{now:%Y/%m}/{token}.jpg"
    target = upload_root() / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    body = out.getvalue()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as fh:
        fh.write(body)
    db.session.info.setdefault("new_files", []).append(str(target))

    upload = Upload(
        token=token, relpath=relpath, content_type="image/jpeg", size=len(body), width=width, height=height,
        owner_id=getattr(owner, "id", None),
        subject_type=getattr(subject, "__tablename__", None), subject_id=getattr(subject, "id", None),
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def attach(upload: Upload, subject) -> None:
    upload.subject_type = subject.__tablename__
    upload.subject_id = subject.id


@event.listens_for(Session, "after_commit")
def _keep_files(session) -> None:
    session.info.pop("new_files", None)


@event.listens_for(Session, "after_rollback")
def _remove_orphans(session) -> None:
    for path in session.info.pop("new_files", []):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
