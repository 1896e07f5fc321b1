"""Real-browser tests: Playwright (sync API) driving Debian's Chromium against live_server.

The browser is /usr/bin/chromium from apt (`make setup` installs it); `playwright
install` is never used, since it downloads a browser build of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from pytest_django.live_server_helper import LiveServer

from tests.campaigns.conftest import world  # noqa: F401  (shared fixture)

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread for the whole
    # module; Django refuses ORM calls under a running loop unless told it is safe
    # (the test database flush at each test's end included).
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def portal_server(django_db_setup, django_db_blocker) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """pytest-django's live server, started only once plain HTTP is configured.

    Its own `live_server` is session-wide and builds the middleware (which reads
    SECURE_SSL_REDIRECT once) before any test's settings apply, so it would send
    the browser to https.
    """
    plain_http = override_settings(
        SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False
    )
    plain_http.enable()
    with django_db_blocker.unblock():
        server = LiveServer("localhost")
    server._live_server_modified_settings.enable()
    yield server
    server._live_server_modified_settings.disable()
    server.stop()
    plain_http.disable()


def _fresh_page(browser, size: dict, timeout_ms: int):  # type: ignore[no-untyped-def]
    """A page in a fresh browser context (no cookies from other tests), closed afterwards."""
    context = browser.new_context(locale="zh-CN", **size)
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    yield page
    context.close()


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    """A phone-sized page (the directors' portal)."""
    yield from _fresh_page(browser, PHONE, 15000)


@pytest.fixture
def desktop(browser):  # type: ignore[no-untyped-def]
    """An office screen (the staff pages)."""
    yield from _fresh_page(browser, DESKTOP, 20000)
