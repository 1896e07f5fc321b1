"""Response headers every page carries, and requests refused before they reach a view."""

from collections.abc import Callable, Iterable

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse

# Everything is served from this site: scripts, styles and images are vendored (SECURITY E3).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'"
)

# Bodies Django parses into request.POST; a multipart body's files are not looked at.
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        # Personal data must not sit in shared caches or browser history.
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.headers.setdefault("Cache-Control", "no-store, private")
        return response


def _holds_nul(values: Iterable[tuple[str, list[str]]]) -> bool:
    return any("\x00" in key or any("\x00" in v for v in items) for key, items in values)


class RejectNulMiddleware:
    """A NUL in the path or a parameter is a 400, before any view or query sees it (SECURITY B5).

    PostgreSQL refuses NUL in text, so a lookup with one raised a 500 there while
    SQLite answered 404; refusing it here makes both databases answer alike.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _holds_nul(request.GET.lists()):
            raise SuspiciousOperation("NUL character in the URL")
        posted_form = request.method == "POST" and request.content_type in _FORM_TYPES
        if posted_form and _holds_nul(request.POST.lists()):
            raise SuspiciousOperation("NUL character in a form field")
        return self.get_response(request)
