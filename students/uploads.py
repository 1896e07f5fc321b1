"""Roster uploads waiting for their confirmation (SECURITY D5: none is left on disk).

An upload is written under MEDIA_ROOT/imports with a random name, mode 0600, while
its preview is shown; it is deleted on confirmation, on a failed preview, when an
import page is opened after it went stale, and by the daily `purge_exports`
(registered from `StudentsConfig.ready()`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied

from aidsite.export_jobs import private_file_open

IMPORT_DIR_NAME = "imports"
# An uploaded roster waits this long for its confirmation, then it is deleted (SECURITY D5).
PENDING_UPLOAD_MAX_AGE_SECONDS = 60 * 60
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def pending_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / IMPORT_DIR_NAME


def pending_path(token: str) -> Path:
    if not _TOKEN.match(token):
        raise PermissionDenied
    return pending_dir() / f"{token}.xlsx"


def pending_upload_write(token: str, chunks: Iterable[bytes]) -> Path:
    """Write an upload to its pending file, readable by the server's account only."""
    path = pending_path(token)
    with private_file_open(path) as out:
        for chunk in chunks:
            out.write(chunk)
    return path


def pending_uploads_sweep(*, max_age_seconds: int = PENDING_UPLOAD_MAX_AGE_SECONDS) -> int:
    """Delete roster uploads never confirmed; returns how many were removed."""
    directory = pending_dir()
    if not directory.is_dir():
        return 0
    cutoff = time.time() - max_age_seconds
    removed = 0
    for file in directory.glob("*.xlsx"):
        try:
            if file.stat().st_mtime < cutoff:
                file.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
