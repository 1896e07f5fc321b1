"""The static-files storage: whitenoise's hashed, compressed files, forgiving of a missing entry."""

from __future__ import annotations

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """`collectstatic` writes each file under a content-hashed name that whitenoise serves
    with a year-long cache; pages link those names through the manifest.

    Django's manifest storage raises for a file the manifest does not know (a file
    added since the last `collectstatic`, or a checkout where it never ran), and
    `{% static %}` would turn every page into a 500. Here the page links the plain
    name instead and the miss is logged: a missing style is a bug to fix, not an
    outage.
    """

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:
            logger.warning("静态文件未收集（请运行 collectstatic）：%s", name)
            return name
