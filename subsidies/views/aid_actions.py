"""The aid-list workflow's actions (/aid/): compute with preview, one entitlement and its
override, additions, approval.

Thin views over `subsidies.services.entitlements` and `.entitlement_review`:
fetch through `get_entitlement` / `entitlement_list`, call one service, redirect
or render. Access is the area's (`subsidies.views.aid.aid_page`).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from aidsite.access import can_reveal_personal_data, log_access, scope_queryset
from aidsite.admin_pages import render_admin_page
from aidsite.form_errors import service_error
from aidsite.lib.idcard import mask_id_number
from aidsite.models import AccessAction
from students.models import Student, Term, Township
from subsidies.forms.aid import AddForm, ApproveForm, ComputeForm, OverrideForm
from subsidies.models import (
    Category,
    DisbursementBatch,
    Entitlement,
    EntitlementOverride,
    EntitlementStatus,
    OverrideAction,
    Policy,
)
from subsidies.rules.facts import POOR_VILLAGE
from subsidies.selectors import entitlement_list
from subsidies.services.entitlement_review import (
    entitlement_override,
    entitlement_override_remove,
    entitlements_approve,
)
from subsidies.services.entitlements import (
    ComputeResult,
    DiffRow,
    compute_result_digest,
    entitlements_compute,
    entitlements_compute_accept,
)
from subsidies.views.aid import (
    APPROVE,
    OVERRIDE,
    STALE_PREVIEW,
    WITHDRAW,
    aid_page,
    approvals_made,
    get_entitlement,
    page_context,
    place_name,
    require_aid_workflow,
)

PREVIEW_ROWS = 200  # rows shown per section of a preview; the counts are always complete
STATUS_LABELS = dict(EntitlementStatus.choices)
CATEGORY_LABELS = {**dict(Category.choices), POOR_VILLAGE: "省定贫困村"}


def _who(user: Any) -> str:
    return user.get_full_name() or user.get_username()


# ---------------------------------------------------------------------------
# Compute with preview


def _snapshot(values: tuple[str, int | None, Decimal] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    status, tier, amount = values
    return {"status": STATUS_LABELS.get(status, status), "tier": f"{tier}档" if tier else "", "amount": amount}


def _diff_rows(diff: list[DiffRow], names: dict[str, str]) -> list[dict[str, Any]]:
    shown = sorted(diff, key=lambda d: (d.policy_code, d.school_name, d.student_name))[:PREVIEW_ROWS]
    return [
        {"d": d, "policy": names.get(d.policy_code, d.policy_code), "before": _snapshot(d.before), "after": _snapshot(d.after)}
        for d in shown
    ]


def _preview_context(result: ComputeResult) -> dict[str, Any]:
    names = dict(Policy.objects.filter(school_year_id=result.term.school_year_id).values_list("code", "name"))
    per_policy = {code: {"code": code, "name": names.get(code, code), "added": 0, "removed": 0, "changed": 0}
                  for code in result.policy_codes}
    for key in ("added", "removed", "changed"):
        for d in getattr(result, key):
            per_policy[d.policy_code][key] += 1
    sections = [
        {"key": key, "label": label, "count": len(getattr(result, key)), "rows": _diff_rows(getattr(result, key), names)}
        for key, label in (("added", "新增"), ("removed", "移除"), ("changed", "变更"))
    ]
    return {
        "result": result,
        "digest": compute_result_digest(result),
        "per_policy": [p for p in per_policy.values() if p["added"] or p["removed"] or p["changed"]],
        "sections": sections,
        "diff_count": sum(section["count"] for section in sections),
        "floor_warnings": [
            {
                "w": w,
                "required": math.ceil(w.required),
                "policy": names.get(w.policy_code, w.policy_code),
            }
            for w in result.floor_warnings
        ],
        "preview_limit": PREVIEW_ROWS,
        "policy_names": names,
    }


@aid_page(methods=("GET", "POST"))
def aid_compute(request: HttpRequest) -> HttpResponse:
    """测算: 预览 is a dry run (nothing written); 确认生成 applies exactly the previewed changes."""
    form = ComputeForm(request.POST if request.method == "POST" else request.GET, user=request.user)
    context = page_context(form, "测算资助名单")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments = {"term": data["term"], "township": data["township"], "policy_code": data["policy"] or None}
        try:
            if "accept" in request.POST:
                result, applied = entitlements_compute_accept(
                    **arguments, expected_digest=data["digest"], actor=request.user
                )
            else:
                result, applied = entitlements_compute(**arguments, dry_run=True, actor=request.user), False
        except ValidationError as exc:
            service_error(form, exc)
        else:
            if applied:
                messages.success(
                    request,
                    f"已生成{place_name(data['township'])}{data['term']}资助名单：新增 {len(result.added)} 条，"
                    f"变更 {len(result.changed)} 条，移除 {len(result.removed)} 条，依据更新 {result.refreshed} 条。",
                )
                return redirect(f"{reverse('aid:list')}?{urlencode(form.query())}")
            if "accept" in request.POST:
                messages.warning(request, STALE_PREVIEW)
            context.update(_preview_context(result))
    return render_admin_page(request, "subsidies/aid/compute.html", context)


# ---------------------------------------------------------------------------
# One entitlement and its override


def _override_actions(entitlement: Entitlement) -> list[str]:
    """What staff may do with a row: nothing once approved; add what the rules left out."""
    if entitlement.is_locked:
        return []
    if entitlement.status == EntitlementStatus.PROPOSED:
        actions = [OverrideAction.EXCLUDE]
        if entitlement.policy.tiers.exists():
            actions.insert(0, OverrideAction.TIER)
        return actions
    return [OverrideAction.ADD]


def _after_override(
    request: HttpRequest, student: Student, policy: Policy, term: Term, action: str | None = None
) -> HttpResponse:
    """Back to the student's row (recomputation may have created or removed it), else to the list."""
    row = scope_queryset(request.user, Entitlement.objects.filter(student=student, policy=policy, term=term)).first()
    if action == OverrideAction.ADD and (row is None or row.status != EntitlementStatus.PROPOSED):
        messages.warning(request, "增补已记录，但重新测算后该生仍未列入拟资助，请核对资助依据。")
    if row is not None:
        return redirect("aid:entitlement", pk=row.pk)
    return redirect(f"{reverse('aid:list')}?term={term.pk}")


@aid_page(methods=("GET", "POST"))
def entitlement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One entitlement: facts and reasons, the override in force, and the override form."""
    entitlement = get_entitlement(request, pk)
    user = request.user
    override = (
        EntitlementOverride.objects.filter(student=entitlement.student, policy=entitlement.policy, term=entitlement.term)
        .select_related("created_by")
        .first()
    )
    actions = _override_actions(entitlement) if user.has_perm(OVERRIDE) else []
    form = OverrideForm(request.POST or None, policy=entitlement.policy, actions=actions) if actions else None
    if request.method == "POST":
        require_aid_workflow(request, OVERRIDE)
        if form is None:
            messages.error(request, "该生此项资助已审核，不能再调整。")
            return redirect("aid:entitlement", pk=entitlement.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entitlement_override(
                    student=entitlement.student, policy=entitlement.policy, term=entitlement.term,
                    action=data["action"], tier=data.get("tier"), reason=data["reason"], actor=user,
                )
            except ValidationError as exc:
                service_error(form, exc)
            else:
                label = dict(OverrideAction.choices)[data["action"]]
                messages.success(request, f"已对 {entitlement.student.name}（{entitlement.policy.name}）{label}，名单已重新测算。")
                return _after_override(
                    request, entitlement.student, entitlement.policy, entitlement.term, data["action"]
                )

    return _detail_page(request, entitlement, override, form)


def _detail_page(
    request: HttpRequest, entitlement: Entitlement, override: EntitlementOverride | None, form: OverrideForm | None
) -> HttpResponse:
    """The entitlement page; the full ID number only when asked for, allowed, and logged."""
    user = request.user
    reveal = request.GET.get("reveal") == "1" and can_reveal_personal_data(user)
    if reveal:
        log_access(
            user=user, action=AccessAction.REVEAL, what=f"资助名单 {entitlement.student.name} 身份证号",
            row_count=1, detail={"entitlement": entitlement.pk},
        )
    student, enrollment = entitlement.student, entitlement.enrollment
    categories = [CATEGORY_LABELS.get(c, c) for c in entitlement.categories.split(",") if c and c != Category.ALL]
    return render_admin_page(
        request,
        "subsidies/aid/entitlement.html",
        {
            "title": f"{student.name} · {entitlement.policy.name}",
            "e": entitlement,
            "student": student,
            "enrollment": enrollment,
            "id_number": student.id_number if reveal else mask_id_number(student.id_number),
            "can_reveal": can_reveal_personal_data(user) and not reveal,
            "categories": categories,
            "override": override,
            "override_form": form,
            "can_withdraw": override is not None and not entitlement.is_locked and user.has_perm(WITHDRAW),
            "scope_query": urlencode({"term": entitlement.term_id}),
        },
    )


@aid_page(methods=("POST",), permission=WITHDRAW)
def override_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw the override of a row (not of an approved one); the policy is recomputed without it."""
    entitlement = get_entitlement(request, pk)
    override = EntitlementOverride.objects.filter(
        student=entitlement.student, policy=entitlement.policy, term=entitlement.term
    ).first()
    if override is None:
        messages.info(request, "该记录没有人工调整。")
        return redirect("aid:entitlement", pk=entitlement.pk)
    if entitlement.is_locked:
        messages.error(request, "该生此项资助已审核，不能再撤销人工调整。")
        return redirect("aid:entitlement", pk=entitlement.pk)
    try:
        entitlement_override_remove(override=override, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("aid:entitlement", pk=entitlement.pk)
    messages.success(request, f"已撤销 {entitlement.student.name}（{entitlement.policy.name}）的人工调整，名单已重新测算。")
    return _after_override(request, entitlement.student, entitlement.policy, entitlement.term)


@aid_page(methods=("GET", "POST"), permission=OVERRIDE)
def override_add(request: HttpRequest) -> HttpResponse:
    """增补 a student the list does not hold for a policy (qualifying-but-left-out rows: their own page)."""
    posted = request.method == "POST"
    form = AddForm(request.POST if posted else request.GET, user=request.user, bind=posted)
    if posted and form.is_valid():
        data = form.cleaned_data
        term = data["term"]
        student = scope_queryset(request.user, Student.objects.all()).filter(id_number=data["id_number"]).first()
        policy = Policy.objects.filter(school_year_id=term.school_year_id, code=data["policy"]).first()
        current = (
            Entitlement.objects.filter(student=student, policy=policy, term=term).first()
            if student is not None and policy is not None
            else None
        )
        if student is None:
            form.add_error("id_number", "您的辖区内没有此身份证号的学生。")
        elif policy is None:
            form.add_error("policy", "所选学期的学年没有此资助项目。")
        elif current is not None and current.status != EntitlementStatus.NOT_AWARDED:
            form.add_error(None, f"该生此项资助已在名单中（{current.get_status_display()}），请在名单中打开该记录调整。")
        else:
            try:
                entitlement_override(
                    student=student, policy=policy, term=term, action=OverrideAction.ADD,
                    tier=data.get("tier"), reason=data["reason"], actor=request.user,
                )
            except ValidationError as exc:
                service_error(form, exc)
            else:
                messages.success(request, f"已增补 {student.name}（{policy.name}），名单已重新测算。")
                return _after_override(request, student, policy, term, OverrideAction.ADD)
    return render_admin_page(request, "subsidies/aid/add.html", page_context(form, "增补学生"))


# ---------------------------------------------------------------------------
# Approval


def _proposed(request: HttpRequest, term: Term, township: Township, policy_code: str | None) -> list[dict[str, Any]]:
    rows = (
        entitlement_list(
            actor=request.user, term=term, township=township, policy_code=policy_code,
            status=EntitlementStatus.PROPOSED,
        )
        .order_by()
        .values("policy__code", "policy__name", "policy__order")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("policy__order", "policy__code")
    )
    return list(rows)


def _expected(rows: list[dict[str, Any]]) -> str:
    """What the confirmation was shown: the number of rows and their total."""
    count = sum(r["n"] for r in rows)
    total = sum((r["total"] or Decimal("0") for r in rows), Decimal("0"))
    return f"{count}|{total:.2f}"


@aid_page(methods=("GET", "POST"), permission=APPROVE)
def aid_approve(request: HttpRequest) -> HttpResponse:
    """资助名单审核: freeze the township's proposed list for the term, recorded with who and when."""
    form = ApproveForm(request.POST if request.method == "POST" else request.GET, user=request.user)
    term, township = form.selection()
    policy_code = (form.cleaned_data.get("policy") or None) if form.is_valid() else None
    if request.method == "POST" and form.is_valid() and township is not None:
        expected = form.cleaned_data["expected"]
        try:
            with transaction.atomic():
                approval = entitlements_approve(term=term, township=township, actor=request.user, policy_code=policy_code)
                shown = f"{approval.entitlement_count}|{approval.total_amount:.2f}"
                if shown != expected:
                    transaction.set_rollback(True)
        except ValidationError as exc:
            service_error(form, exc)
        else:
            if shown == expected:
                at = timezone.localtime(approval.approved_at).strftime("%Y-%m-%d %H:%M")
                messages.success(
                    request,
                    f"资助名单审核完成：{township.name}{term} {approval.entitlement_count} 人，"
                    f"{approval.total_amount:.2f} 元；审核人 {_who(request.user)}，{at}。",
                )
                return redirect(f"{reverse('aid:approve')}?{urlencode(form.query())}")
            messages.warning(request, STALE_PREVIEW)
    context = page_context(form, "资助名单审核")
    if term is not None and township is not None:
        rows = _proposed(request, term, township, policy_code)
        context.update(
            proposed=rows,
            proposed_count=sum(r["n"] for r in rows),
            proposed_total=sum((r["total"] or Decimal("0") for r in rows), Decimal("0.00")),
            expected=_expected(rows),
            policy_code=policy_code or "",
        )
    if term is not None:
        context["approvals"] = approvals_made(request, term, township)
    if term is not None and township is not None:
        context["next_steps"] = next_steps(request, term, township)
    return render_admin_page(request, "subsidies/aid/approve.html", context)


def next_steps(request: HttpRequest, term: Term, township: Township) -> list[dict[str, Any]]:
    """After 名单审核: per approved policy, links to 发布公示, 编制发放批次 and (once a batch exists) 导出台账."""
    approved = (
        entitlement_list(actor=request.user, term=term, township=township, status=EntitlementStatus.APPROVED)
        .order_by()
        .values("policy_id", "policy__name", "policy__order")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("policy__order", "policy_id")
    )
    batched = set(
        scope_queryset(request.user, DisbursementBatch.objects.filter(term=term, township=township)).values_list(
            "policy_id", flat=True
        )
    )
    user = request.user
    steps = []
    for row in approved:
        selection = {"term": term.pk, "township": township.pk, "policy": row["policy_id"]}
        steps.append(
            {
                "name": row["policy__name"],
                "n": row["n"],
                "total": row["total"],
                "notice_url": f"{reverse('notices:new')}?{urlencode({'term': term.pk, 'policy': row['policy_id']})}"
                if user.has_perm("subsidies.add_publicnotice")
                else "",
                "prepare_url": f"{reverse('ledgers:prepare')}?{urlencode(selection)}"
                if user.has_perm("subsidies.prepare_disbursementbatch")
                else "",
                "export_url": f"{reverse('export_centre')}?{urlencode({'kind': 'ledger', **selection})}#export-ledger"
                if row["policy_id"] in batched and user.has_perm("subsidies.export_disbursementbatch")
                else "",
            }
        )
    return steps
