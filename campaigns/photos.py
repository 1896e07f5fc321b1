"""Uploaded photos: images only, size-limited, stored under MEDIA_ROOT with random names.

The browser's file name and content type are never trusted: Pillow must open and
verify the bytes, the format must be one we display, and the stored name is random
with the extension of the format Pillow found.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aidsite.lib.uploads import ALLOWED_IMAGE_FORMATS as ALLOWED_FORMATS
from aidsite.lib.uploads import image_format
from aidsite.lib.uploads import upload_max_bytes as photo_max_bytes


def validate_photo(file: Any) -> None:
    """Refuse anything that is not a JPEG/PNG/WebP/GIF image or is over the size limit."""
    limit = photo_max_bytes()
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("照片不能超过 %(mb)s MB。"), code="too_large", params={"mb": limit // (1024 * 1024)}
        )
    if image_format(file) is None:
        raise ValidationError(_("只能上传 JPG、PNG、WebP 或 GIF 格式的照片。"), code="not_image")


def photo_errors(photos: Iterable[Any]) -> list[str]:
    """Every refused photo's messages, each after its file name; empty when all pass."""
    errors = []
    for photo in photos:
        try:
            validate_photo(photo)
        except ValidationError as exc:
            errors.extend(f"{photo.name}：{message}" for message in exc.messages)
    return errors


def photo_upload_to(instance: Any, filename: str) -> str:
    """A random name under campaigns/<model>/ with the extension of the real format."""
    file = getattr(getattr(instance, "image", None), "file", None)
    found = image_format(file) if file is not None else None
    extension = ALLOWED_FORMATS.get(found or "", ".jpg")
    folder = type(instance).__name__.lower()
    return f"campaigns/{folder}/{uuid.uuid4().hex}{extension}"


def validate_plan_document(file: Any) -> None:
    """Campaign plans are PDF or Word files of at most 10 MB."""
    if file.size is not None and file.size > 10 * 1024 * 1024:
        raise ValidationError(_("方案文件不能超过 10 MB。"), code="too_large")
    name = (getattr(file, "name", "") or "").lower()
    if not name.endswith((".pdf", ".docx", ".doc")):
        raise ValidationError(_("方案文件只能是 PDF 或 Word 文档。"), code="bad_type")


def document_upload_to(instance: Any, filename: str) -> str:
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in {".pdf", ".docx", ".doc"}:
        extension = ""
    return f"campaigns/plans/{uuid.uuid4().hex}{extension}"
