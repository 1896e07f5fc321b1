"""Searching the registry's lists by a full or masked ID number or phone (SECURITY D4).

A full number never travels in a URL: the search box posts it, and the list is
redirected to its masked form plus a short token kept in the session.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from aidsite.lib.idcard import ID_PATTERN, mask_id_number, mask_phone, normalize_id_number

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_MASKED_ID = re.compile(r"^(\d{4})\*{10}(\d{3}[\dX])$")
_MASKED_MOBILE = re.compile(r"^(1\d{2})\*{4}(\d{4})$")


@dataclass(frozen=True)
class _PersonalKind:
    full: re.Pattern[str]
    masked: re.Pattern[str]


_KINDS = {
    "id": _PersonalKind(ID_PATTERN, _MASKED_ID),
    "phone": _PersonalKind(_MOBILE, _MASKED_MOBILE),
}
_MASKERS = {"id": mask_id_number, "phone": mask_phone}


SEARCH_TOKEN_VAR = "qt"
_SEARCH_SESSION_KEY = "personal_searches"
# A session remembers this many recent searches; an older link falls back to the masked match.
_SEARCH_SESSION_SIZE = 20
# Fields of the search form that are not list parameters.
_SEARCH_FORM_FIELDS = {"csrfmiddlewaretoken", "_personal_search", "q", SEARCH_TOKEN_VAR, "p"}


def personal_search_remember(request: HttpRequest, full: str) -> str:
    """Keep a full number in the session; the short random token that stands for it in a URL."""
    token = secrets.token_urlsafe(6)
    remembered = dict(request.session.get(_SEARCH_SESSION_KEY, {}))
    remembered[token] = full
    request.session[_SEARCH_SESSION_KEY] = dict(list(remembered.items())[-_SEARCH_SESSION_SIZE:])
    return token


def personal_search_recall(request: HttpRequest, token: str) -> str:
    """The full number a token of this session stands for, or ""."""
    return request.session.get(_SEARCH_SESSION_KEY, {}).get(token, "") if token else ""


def _personal_changelist(base: type[ChangeList]) -> type[ChangeList]:
    """The admin's ChangeList, told that the search token is no field lookup."""

    class PersonalSearchChangeList(base):  # type: ignore[valid-type,misc]
        def get_filters_params(self, params=None):  # type: ignore[no-untyped-def]
            lookup_params = super().get_filters_params(params)
            lookup_params.pop(SEARCH_TOKEN_VAR, None)
            return lookup_params

    return PersonalSearchChangeList


class PersonalSearchMixin:
    """Search by a full ID number or phone, exactly, and by its masked form.

    `personal_search` maps a field to its kind ("id" or "phone"). The full value
    matches exactly (never by prefix: that would let a role without the reveal
    permission recover hidden digits); the masked form matches on the visible
    prefix and suffix, which every user already sees.

    A full number never travels in a URL, so no access log of this server or a
    proxy in front holds one (SECURITY D4): the search box posts its term; a full
    number is kept in the session under a short random token and the list is
    redirected to `?q=<masked form>&qt=<token>`, so sorting, filters and pages
    keep the exact match. A name still searches by GET as usual. A full number
    typed into the URL by hand is moved the same way, so no link echoes it.
    """

    personal_search: dict[str, str] = {}

    def _personal_kind(self, term: str) -> str | None:
        for kind_name in self.personal_search.values():
            if _KINDS[kind_name].full.match(term):
                return kind_name
        return None

    def _personal_query(self, term: str) -> Q | None:
        term = normalize_id_number(term)
        query: Q | None = None
        for field, kind_name in self.personal_search.items():
            kind = _KINDS[kind_name]
            if kind.full.match(term):
                part = Q(**{field: term})
            elif match := kind.masked.match(term):
                part = Q(
                    **{f"{field}__startswith": match.group(1), f"{field}__endswith": match.group(2)}
                )
            else:
                continue
            query = part if query is None else query | part
        return query

    def _remembered_term(self, request: HttpRequest, shown: str) -> str:
        """The full number behind `?q=<masked>&qt=<token>`, or `shown` itself."""
        full = personal_search_recall(request, request.GET.get(SEARCH_TOKEN_VAR, ""))
        kind_name = self._personal_kind(full) if full else None
        if kind_name is not None and _MASKERS[kind_name](full) == shown:
            return full
        return shown

    def _search_redirect(self, request: HttpRequest, term: str, params: Any) -> HttpResponse:
        term = term.strip()
        params.pop(SEARCH_TOKEN_VAR, None)
        params.pop("p", None)
        kind_name = self._personal_kind(normalize_id_number(term))
        if kind_name is None:
            params["q"] = term
        else:
            full = normalize_id_number(term)
            params["q"] = _MASKERS[kind_name](full)
            params[SEARCH_TOKEN_VAR] = personal_search_remember(request, full)
        query = params.urlencode()
        return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)

    def get_changelist(self, request, **kwargs):  # type: ignore[no-untyped-def]
        return _personal_changelist(super().get_changelist(request, **kwargs))  # type: ignore[misc]

    def get_search_results(self, request, queryset, search_term):  # type: ignore[no-untyped-def]
        if search_term:
            search_term = self._remembered_term(request, search_term)
        query = self._personal_query(search_term) if search_term else None
        if query is not None:
            return queryset.filter(query), False
        return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]

    def changelist_view(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        if request.method == "POST" and "_personal_search" in request.POST:
            if not self.has_view_or_change_permission(request):  # type: ignore[attr-defined]
                raise PermissionDenied
            params = request.POST.copy()
            for name in _SEARCH_FORM_FIELDS:
                params.pop(name, None)
            return self._search_redirect(request, request.POST.get("q", ""), params)
        term = normalize_id_number(request.GET.get("q", ""))
        if term and self._personal_kind(term) is not None:
            return self._search_redirect(request, term, request.GET.copy())
        return super().changelist_view(request, extra_context)  # type: ignore[misc]
