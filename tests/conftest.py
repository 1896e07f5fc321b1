import os

# Tests speak plain HTTP to the test client: no HTTPS redirect.
os.environ.setdefault("SECURE_PRODUCTION", "0")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
