"""What every page of the directors' portal shares: access, the term shown, rendering.

Every object comes through `portal_object` (aidsite.access.get_for_user), so another
kindergarten's child, visit, card or photo is a 404; every page needs its model
permission (`portal_view` / `require_perm`, through aidsite.access.require), which
township staff and auditors hold for reading only (403 on writes).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from aidsite.access import get_for_user, require, scope_queryset, user_scope
from aidsite.form_errors import service_error
from campaigns.coverage import portal_term
from students.models import School, Stage, Term, Township

LOGIN = "campaigns:login"

ViewFunc = Callable[..., HttpResponse]


def portal_object(request: HttpRequest, queryset: QuerySet[Any], **lookup: Any) -> Any:
    """The one way the portal fetches an object: within the user's scope, else 404."""
    return get_for_user(request.user, queryset, **lookup)


def portal_school(request: HttpRequest, pk: int) -> School:
    """A school within the user's scope, else 404."""
    return portal_object(request, School.objects.all(), pk=pk)


def require_perm(request: HttpRequest, *codenames: str) -> None:
    """403 unless the user holds every `campaigns.<codename>`; the page says no more."""
    require(request.user, tuple(f"campaigns.{c}" for c in codenames), denied="")


def portal_view(*codenames: str) -> Callable[[ViewFunc], ViewFunc]:
    """A portal page: log in on the portal's own page, then `require_perm(*codenames)`."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require_perm(request, *codenames)
            return view(request, *args, **kwargs)

        return login_required(checked, login_url=LOGIN)

    return decorator


def can(request: HttpRequest, *codenames: str) -> bool:
    """Whether `require_perm` would let the user through (to show or hide a button)."""
    try:
        require_perm(request, *codenames)
    except PermissionDenied:
        return False
    return True


def asked_term(request: HttpRequest) -> Term:
    """The term asked for (?term=pk) or the one today falls in."""
    term_pk = request.GET.get("term", "")
    if term_pk.isdigit():
        term = Term.objects.select_related("school_year").filter(pk=int(term_pk)).first()
    else:
        term = portal_term(timezone.localdate())
    if term is None:
        raise Http404("尚未设置学期。")
    return term


def portal_school_term(request: HttpRequest, pk: int) -> tuple[School, Term]:
    """The kindergarten a page is about (in scope, else 404) and the term it shows."""
    return portal_school(request, pk), asked_term(request)


def kindergartens(request: HttpRequest) -> QuerySet[School]:
    return scope_queryset(
        request.user, School.objects.filter(stages__contains=Stage.KINDERGARTEN)
    ).select_related("township")


def who(request: HttpRequest) -> str:
    """The person logged in, by name as Chinese writes it (姓 then 名, no space), else the
    login name: what the forms pre-fill as 发放人, 核对班主任, 带队人."""
    user = request.user
    name = f"{user.last_name.strip()}{user.first_name.strip()}"
    return (name or user.get_username())[:30]


def form_saved(
    request: HttpRequest, form: Any, save: Callable[[dict[str, Any]], object], *, success: str
) -> bool:
    """Hand a valid form's data to the service `save`: True once saved, with `success` as
    the message; False with the form carrying its own or the service's errors."""
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ValidationError as exc:
        service_error(form, exc)
        return False
    messages.success(request, success)
    return True


def render_portal(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    # The tab bar links a director to their own kindergarten's pages from every page.
    context = {"nav_school_id": user_scope(request.user).school_id, **context}
    return render(request, template, context)


def _scope_unit(request: HttpRequest) -> str | None:
    """The user's kindergarten or township by name; None for the whole county."""
    scope = user_scope(request.user)
    if scope.school_id is not None:
        return School.objects.get(pk=scope.school_id).name
    if scope.township_id is not None:
        return Township.objects.get(pk=scope.township_id).name
    return None


def scope_title(request: HttpRequest) -> str:
    """What the user's pages cover, for their titles: the kindergarten, the township, 全县."""
    return _scope_unit(request) or "全县"


def issuer(request: HttpRequest) -> str:
    """The unit a printed ledger is issued by: the user's school, township, or the county office."""
    return _scope_unit(request) or settings.AID_OFFICE_NAME


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


def render_pdf_bytes(template: str, context: dict[str, Any], request: HttpRequest) -> bytes:
    # Imported here: WeasyPrint is heavy, and only the PDF views need it.
    from aidsite.lib.pdf import render_pdf

    return render_pdf(template, {**context, "printed_at": timezone.now()}, request=request)
