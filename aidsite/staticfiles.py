"""The static-files storage: whitenoise's hashed, compressed files, forgiving of a missing entry."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """`collectstatic` writes each file under a content-hashed name that whitenoise serves
    with a year-long cache; pages link those names through the manifest.

    Django's manifest storage raises for a file the manifest does not know (a file
    added since the last `collectstatic`, or a checkout where it never ran), and
    `{% static %}` would turn every page into a 500. Here the page links the plain
    name instead: a missing style is a bug to fix, not an outage. (Not logged:
    whitenoise probes names that are not static files at all through the same call.)
    """

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:
            return name
