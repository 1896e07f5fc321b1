"""The aid-list pages (资助名单, /aid/): the summary and the review list; the area's access and shared context.

Thin views over `subsidies.selectors`: fetch through `get_entitlement` /
`entitlement_list`, render. The workflow's actions (compute with preview,
overrides, approval) are in `subsidies.views.aid_actions`. The whole area is
for the roles that run the workflow (township staff, the county administrator):
auditors and directors get 403 on every URL (with the 403 page's own text), and
the services check the township again.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.views.decorators.http import require_http_methods

from aidsite.access import get_for_user, require, scope_queryset, user_scope
from aidsite.admin_pages import render_admin_page
from aidsite.lib.idcard import ID_PATTERN, mask_id_number, normalize_id_number
from students.admin.search import SEARCH_TOKEN_VAR, personal_search_recall, personal_search_remember
from students.external_lists import condition_changes_count
from students.models import Term, Township
from subsidies.forms.aid import AidScopeForm, ListFilterForm
from subsidies.models import (
    Entitlement,
    EntitlementApproval,
    EntitlementOverride,
    EntitlementStatus,
)
from subsidies.selectors import (
    SummaryRow,
    entitlement_list,
    quota_totals,
    summary_totals,
    term_summary,
)
from subsidies.views.policies import can_open_year, no_policies_notice

WORKFLOW = "subsidies.add_entitlement"
OVERRIDE = "subsidies.add_entitlementoverride"
WITHDRAW = "subsidies.delete_entitlementoverride"
APPROVE = "subsidies.approve_entitlement"
PAGE_SIZE = 100
STALE_PREVIEW = "名单在预览后已有变化，请重新核对。"


def require_aid_workflow(request: HttpRequest, permission: str = WORKFLOW) -> None:
    """Only the roles that run the aid workflow, and only with the page's own permission.

    The pages act on the whole county or on the user's own township, never
    read-only: a director's school (no township of their own) reaches neither.
    """
    user = request.user
    require(
        user,
        (WORKFLOW, permission),
        staff=True,
        write=True,
        township=user_scope(user).township_id,
        denied="",
        out_of_scope="",
    )


def aid_page(*, methods: tuple[str, ...], permission: str = WORKFLOW) -> Callable[[Any], Any]:
    """Log-in, then the role and permission check, then the method: refused roles get 403 everywhere."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        allowed = require_http_methods(list(methods))(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require_aid_workflow(request, permission)
            return allowed(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def get_entitlement(request: HttpRequest, pk: int) -> Entitlement:
    return get_for_user(
        request.user,
        Entitlement.objects.select_related(
            "student__household__village", "enrollment__school__township", "policy", "term__school_year",
            "approval__approved_by",
        ),
        pk=pk,
    )


def place_name(township: Township | None) -> str:
    return township.name if township is not None else "全县"


def page_context(form: AidScopeForm, title: str, **extra: Any) -> dict[str, Any]:
    term, township = form.selection()
    return {
        # The term asked for (a compute form refusing a year without policies falls back to the default).
        "no_policies": no_policies_notice(form.user, asked.school_year if (asked := form.selected_term) else None),
        "can_open_year": can_open_year(form.user),
        "title": title,
        "form": form,
        "term": term,
        "township": township,
        "place": place_name(township),
        "scope_query": urlencode(form.query()),
        "county_wide": form.fixed_township is None,
        **extra,
    }


def approvals_made(request: HttpRequest, term: Term, township: Township | None) -> Any:
    """The term's list approvals (名单审核); an approved application's own approval is not one."""
    approvals = scope_queryset(request.user, EntitlementApproval.objects.filter(term=term)).exclude(
        entitlements__policy__by_application=True
    )
    if township is not None:
        approvals = approvals.filter(township=township)
    approvals = list(
        approvals.select_related("approved_by", "township", "term").order_by("-approved_at")
    )
    EntitlementApproval.attach_policy_names(approvals)
    return approvals


# ---------------------------------------------------------------------------
# Summary


def _notes(row: SummaryRow) -> list[tuple[str, bool]]:
    """What to tell about a school's figures, each flagged as a warning or as information."""
    notes = []
    if row.below_floor:
        assert row.floor_required is not None
        notes.append((f"低于比例下限：应不少于 {math.ceil(row.floor_required)} 人，现 {row.floor_counted} 人", True))
    if row.allocated:
        notes.append((f"县分配名额 {row.quota} 人（按比例 {row.default_quota} 人）：{row.allocation_reason}", False))
    if row.over_quota:
        notes.append((f"超出名额（名额 {row.quota} 人）", True))
    elif row.beyond_quota_poor_village:
        notes.append((f"省定贫困村全覆盖，超名额 {row.beyond_quota_poor_village} 人", False))
    if row.awarded_exempt:
        notes.append((f"不占名额 {row.awarded_exempt} 人", False))
    if row.conflicts:
        notes.append((f"重复学籍 {row.conflicts} 人", True))
    if row.no_tuition:
        notes.append(("本校学费标准为 0 元，无人享受免学费", True))
    return notes


def _summary_groups(rows: list[SummaryRow]) -> list[dict[str, Any]]:
    """The summary rows grouped by policy, each group with its totals (`summary_totals`)."""
    totals = summary_totals(rows)
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(
            row.policy_code,
            {
                "code": row.policy_code,
                "name": row.policy_name,
                "standard": row.average_standard,
                "rows": [],
                "enrolled": 0,
                "qualifying": 0,
                "not_awarded": 0,
                "places": None,
                "warnings": 0,
                **totals[row.policy_code],
            },
        )
        group["rows"].append({"r": row, "notes": _notes(row)})
        group["enrolled"] += row.enrolled
        group["qualifying"] += row.qualifying
        group["not_awarded"] += row.not_awarded
        if row.quota is not None:
            group["places"] = (group["places"] or 0) + row.quota
        group["warnings"] += bool(row.below_floor or row.over_quota or row.conflicts or row.no_tuition)
    for group in groups.values():
        awarded = group["awarded"]
        group["average"] = (group["total"] * 2 / awarded).quantize(Decimal("0.01")) if awarded else None
    return list(groups.values())


def _computed_list(request: HttpRequest, term: Term, township: Township | None) -> Any:
    """The term's computed list: approved applications are decided one by one, not computed."""
    return entitlement_list(actor=request.user, term=term, township=township).filter(policy__by_application=False)


def _list_changes(request: HttpRequest, term: Term, township: Township | None) -> int:
    """Students whose conditions an applied external list changed since the term was last computed."""
    computed = _computed_list(request, term, township).aggregate(at=Max("computed_at"))
    return condition_changes_count(since=computed["at"], school_year=term.school_year, township=township)


@aid_page(methods=("GET",))
def aid_index(request: HttpRequest) -> HttpResponse:
    """资助名单概览: the term's summary per policy and school, counts by status, approvals made."""
    form = AidScopeForm(request.GET, user=request.user)
    term, township = form.selection()
    context = page_context(form, "资助名单概览")
    if term is not None:
        rows = term_summary(term=term, township=township)
        groups = _summary_groups(rows)
        by_status = {
            row["status"]: row
            for row in _computed_list(request, term, township)
            .order_by()
            .values("status")
            .annotate(n=Count("id"), total=Sum("amount"))
        }
        context.update(
            groups=groups,
            quota_totals=quota_totals(rows),
            grand_awarded=sum(g["awarded"] for g in groups),
            grand_total=sum((g["total"] for g in groups), Decimal("0.00")),
            statuses=[
                {"code": code, "label": label, "n": by_status.get(code, {}).get("n", 0),
                 "total": by_status.get(code, {}).get("total") or Decimal("0.00")}
                for code, label in EntitlementStatus.choices
            ],
            approvals=approvals_made(request, term, township),
            # Nothing computed yet: the floors and zeros would only be noise.
            not_computed=not by_status,
            list_changes=_list_changes(request, term, township),
        )
    return render_admin_page(request, "subsidies/aid/index.html", context)


# ---------------------------------------------------------------------------
# The review list


def _with_override_flag(queryset: Any) -> Any:
    overrides = EntitlementOverride.objects.filter(
        student_id=OuterRef("student_id"), policy_id=OuterRef("policy_id"), term_id=OuterRef("term_id")
    )
    return queryset.annotate(has_override=Exists(overrides))


def _search_redirect(request: HttpRequest, params: QueryDict) -> HttpResponse | None:
    """A full ID number in the search (posted, or typed into the URL) leaves as its masked form.

    The number is kept in the session under a short token (`?q=<masked>&qt=<token>`), so
    no URL, server log or browser history holds it (SECURITY D4). None: nothing to move.
    """
    number = normalize_id_number(params.get("q", ""))
    if request.method != "POST" and not ID_PATTERN.match(number):
        return None
    params = params.copy()
    for name in ("csrfmiddlewaretoken", "page", SEARCH_TOKEN_VAR):
        params.pop(name, None)
    if ID_PATTERN.match(number):
        params["q"] = mask_id_number(number)
        params[SEARCH_TOKEN_VAR] = personal_search_remember(request, number)
    return HttpResponseRedirect(f"{request.path}?{params.urlencode()}")


def _list_filters(request: HttpRequest, form: ListFilterForm) -> dict[str, Any]:
    """The form's filters; a masked search with this session's token finds the full number exactly."""
    filters = form.filters()
    full = personal_search_recall(request, request.GET.get(SEARCH_TOKEN_VAR, ""))
    if full and filters.get("id_suffix") and mask_id_number(full) == form.cleaned_data.get("q"):
        filters.pop("id_prefix", None)
        filters.pop("id_suffix", None)
        filters["id_number"] = full
    return filters


@aid_page(methods=("GET", "POST"))
def aid_list(request: HttpRequest) -> HttpResponse:
    """资助名单: filtered by policy, school, tier and status, searched by name or ID; IDs masked."""
    moved = _search_redirect(request, request.POST if request.method == "POST" else request.GET)
    if moved is not None:
        return moved
    form = ListFilterForm(request.GET, user=request.user)
    term, township = form.selection()
    context = page_context(form, "资助名单")
    if term is not None:
        queryset = _with_override_flag(
            entitlement_list(actor=request.user, term=term, township=township, **_list_filters(request, form))
        )
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            page=page,
            rows=[{"e": e, "masked_id": mask_id_number(e.student.id_number)} for e in page],
            page_query=query.urlencode(),
            not_awarded=EntitlementStatus.NOT_AWARDED,
        )
    return render_admin_page(request, "subsidies/aid/list.html", context)
