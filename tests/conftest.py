"""Settings and markers for the whole suite.

- Passwords are hashed with MD5: every world makes several users and the production
  hasher would spend seconds per test on them. No test checks the algorithm; the served
  application (tests/aidsite/test_serving.py) runs in its own processes, with its own.
- `postgres` marks tests that need PostgreSQL; they are skipped on SQLite here, in one
  place (`@pytest.mark.postgres(reason=...)` words the skip). `-m postgres` selects them.
- Everything under tests/e2e is marked `e2e` (real browser), so one run can leave it out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
POSTGRES_SKIP_REASON = "needs PostgreSQL"
E2E_DIR = Path(__file__).resolve().parent / "e2e"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgresql = connection.vendor == "postgresql"
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)
        marker = item.get_closest_marker("postgres")
        if marker is not None and not on_postgresql:
            item.add_marker(pytest.mark.skip(reason=marker.kwargs.get("reason", POSTGRES_SKIP_REASON)))


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():  # type: ignore[no-untyped-def]
    # Session-wide, so that users made by session- or module-scoped fixtures are cheap too.
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # The test client speaks plain HTTP; production settings would redirect it to HTTPS.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    # The 工作台 keeps its county-wide counts in the cache: each test starts without them.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    # Background jobs run inside the test, synchronously, so a test sees their outcome.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _plain_static_urls(settings, tmp_path):
    # Pages link /static/<name> whether or not `collectstatic` has run on this checkout, so
    # the test server (which serves through the finders) and the PDF tests find every file.
    # tests/aidsite/test_serving.py runs the production storage, collected, end to end.
    # An empty STATIC_ROOT: whitenoise would otherwise index the collected files (~0.1 s)
    # for every test client.
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
