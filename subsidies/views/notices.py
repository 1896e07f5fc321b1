"""The notice pages (公示): the notices in scope, publishing one after a preview, withdrawing one early.

Thin views: fetch through `get_notice`/`scope_queryset`, call one service in
`subsidies.services.notices`, redirect or render. Reading needs `view_publicnotice`
(staff and auditors; auditors see the list read-only), publishing
`add_publicnotice` and withdrawing `change_publicnotice` (township staff and
the county): anyone else gets 403 on GET and POST alike, with the 403 page's
own text (`denied=""`). The printed notice
is a PDF job of the export centre (SECURITY F2), not rendered in the request.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from aidsite.access import get_for_user, require, scope_queryset
from aidsite.admin_pages import render_admin_page
from subsidies.forms.notices import NoticeFilterForm, NoticeForm, WithdrawForm
from subsidies.models import PublicNotice
from subsidies.reports import notice_context
from subsidies.selectors import notices_with_counts
from subsidies.services import notices
from subsidies.views.policies import form_no_policies

VIEW = "subsidies.view_publicnotice"
PUBLISH = "subsidies.add_publicnotice"
WITHDRAW = "subsidies.change_publicnotice"
PDF = "subsidies.export_entitlement"  # the export centre's "report_notice" kind
PER_PAGE = 50


def get_notice(request: HttpRequest, pk: int) -> PublicNotice:
    return get_for_user(
        request.user, PublicNotice.objects.select_related("school__township", "policy", "term__school_year"), pk=pk
    )


def _public_url(request: HttpRequest, notice: PublicNotice) -> str:
    return request.build_absolute_uri(reverse("public_notice", args=[notice.token]))


@require_GET
@login_required
def notice_index(request: HttpRequest) -> HttpResponse:
    """资助公示: every notice in scope with its period, state, head count and amount."""
    require(request.user, VIEW, staff=True, denied="")
    form = NoticeFilterForm(request.GET or None)
    queryset = scope_queryset(
        request.user,
        PublicNotice.objects.select_related("school__township", "policy", "term__school_year", "created_by", "withdrawn_by"),
    )
    term = form.cleaned_data.get("term") if form.is_bound and form.is_valid() else None
    if term is not None:
        queryset = queryset.filter(term=term)
    page = Paginator(notices_with_counts(queryset), PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    can_withdraw = request.user.has_perm(WITHDRAW)
    rows = []
    for notice in page:
        state = notices.notice_state(notice, today=today)
        rows.append(
            {
                "notice": notice,
                "state": state,
                "public_url": _public_url(request, notice) if state == notices.NoticeState.OPEN else "",
                "can_withdraw": can_withdraw and state in (notices.NoticeState.OPEN, notices.NoticeState.PENDING),
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render_admin_page(
        request,
        "subsidies/notices/index.html",
        {
            "title": "资助公示",
            "form": form,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "show_term": term is None,
            "can_publish": request.user.has_perm(PUBLISH),
            "can_print": request.user.has_perm(PDF),
        },
    )


def _preview_context(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """What the public page will show, built exactly as the published notice builds it."""
    return notice_context(
        term=data["term"],
        school=data["school"],
        policy=data["policy"],
        actor=request.user,
        start_date=data["start_date"],
        period_days=data["period_days"],
        objection_contact=data["objection_contact"],
        issuing_unit=data["issuing_unit"],
    )


@require_http_methods(["GET", "POST"])
@login_required
def notice_new(request: HttpRequest) -> HttpResponse:
    """发布公示 in two steps: the form, then a preview of the public page with the 发布 button."""
    require(request.user, PUBLISH, staff=True, denied="")
    # A link from the aid list's approval opens the form on its term and policy.
    initial = {key: request.GET[key] for key in ("term", "policy", "school") if request.GET.get(key, "").isdigit()}
    form = NoticeForm(request.POST or None, user=request.user, initial=initial)
    # "返回修改" posts the previewed values back to the form unchanged.
    if request.method == "POST" and "edit" not in request.POST and form.is_valid():
        data = form.cleaned_data
        if "publish" in request.POST:
            try:
                notice = notices.notice_publish(
                    school=data["school"], policy=data["policy"], term=data["term"],
                    start_date=data["start_date"], actor=request.user, period_days=data["period_days"],
                    objection_contact=data["objection_contact"], issuing_unit=data["issuing_unit"],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages[0])
            else:
                messages.success(
                    request,
                    f"已发布{notice.school.name}{notice.policy.name}公示，"
                    f"公示期 {notice.start_date:%Y-%m-%d} 至 {notice.end_date:%Y-%m-%d}。"
                    "公示网页地址见下表，可复制发到家长群。",
                )
                return redirect(f"{reverse('notices:index')}?term={notice.term_id}")
        else:
            preview = _preview_context(request, data)
            if not preview["rows"]:
                form.add_error(None, "该学校本学期此项目没有拟资助或已审核的学生，无需公示。")
            else:
                return render_admin_page(
                    request,
                    "subsidies/notices/preview.html",
                    {
                        "title": "公示预览",
                        "form": form,
                        "notice": preview,
                        "end_date": notices.notice_end_date(data["start_date"], data["period_days"]),
                    },
                )
    return render_admin_page(
        request, "subsidies/notices/new.html",
        {"title": "发布公示", "form": form, "no_policies": form_no_policies(request.user, form)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """撤回: take a notice down before its end, with a reason."""
    require(request.user, WITHDRAW, staff=True, denied="")
    notice = get_notice(request, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notices.notice_withdraw(notice=notice, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, f"已撤回{notice.school.name}{notice.policy.name}公示，公示网页已关闭。")
            return redirect(f"{reverse('notices:index')}?term={notice.term_id}")
    return render_admin_page(
        request,
        "subsidies/notices/withdraw.html",
        {
            "title": "撤回公示",
            "notice": notice,
            "state": notices.notice_state(notice, today=timezone.localdate()),
            "listed": notices_with_counts(PublicNotice.objects.filter(pk=notice.pk)).values_list(
                "student_count", flat=True
            ).first(),
            "form": form,
        },
    )
