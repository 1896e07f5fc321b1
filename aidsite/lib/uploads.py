"""Uploaded files checked by their bytes, never by the browser's name or content type.

Photos (campaigns) and evidence (aid applications) share one size limit and one
image check: Pillow must open and verify the bytes, the format must be one we
display, and the stored name is random with the extension of what was found.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from PIL import Image, UnidentifiedImageError

ALLOWED_IMAGE_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
# Phone photos are 2–5 MB; larger files are refused rather than resized on the server.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def upload_max_bytes() -> int:
    """The one size limit for photos and scanned evidence (setting CAMPAIGN_PHOTO_MAX_BYTES)."""
    return int(getattr(settings, "CAMPAIGN_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


def image_format(file: Any) -> str | None:
    """The Pillow format name of `file` if it is a complete image we accept, else None."""
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            found = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        file.seek(position)
    return found if found in ALLOWED_IMAGE_FORMATS else None


def is_pdf(file: Any) -> bool:
    """Whether `file` starts like a PDF document (`%PDF-`) and ends with its trailer marker."""
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        head = file.read(5)
        file.seek(0, 2)
        size = file.tell()
        file.seek(max(0, size - 1024))
        tail = file.read()
    except (OSError, ValueError):
        return False
    finally:
        file.seek(position)
    return head == b"%PDF-" and b"%%EOF" in tail
