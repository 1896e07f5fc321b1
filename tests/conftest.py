import os

# Tests speak plain HTTP to the test client: no HTTPS redirect.
os.environ.setdefault("SECURE_PRODUCTION", "0")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    # Background jobs run inside the test, synchronously (issue 5: the immediate backend).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
