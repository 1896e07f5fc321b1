"""Computing a term's aid list (测算): turn the rules' decisions into entitlement rows.

Computing is idempotent: it turns `allocation.decide` outcomes into rows,
adding, updating and removing only *proposed* (or left-out / excluded) rows,
never approved or paid ones, and keeping staff overrides. Writes are bulk and
recorded in the entitlement history (simple_history's bulk helpers and the
reviewed bulk insert of `aidsite.lib.bulk`). Overrides and approval are in
`subsidies.services.entitlement_review`; the list and its summary are read
through `subsidies.selectors`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from aidsite.access import actor_user, require
from aidsite.lib.bulk import insert_rows
from aidsite.lib.idcard import mask_id_number
from students.models import Enrollment, EnrollmentStatus, Term, Township
from subsidies.models import LOCKED_STATUSES, Entitlement, EntitlementOverride, Policy
from subsidies.rules import allocation, pricing
from subsidies.rules.decisions import Decision, OverrideFact
from subsidies.rules.policy import PolicySpec
from subsidies.selectors import policies_for_term, population_facts, quota_allocations

if TYPE_CHECKING:
    from aidsite.access import Actor

BATCH_SIZE = 2000
_UPDATED = ("enrollment", "status", "tier", "amount", "max_amount", "qualifies", "categories", "priority", "has_conflict", "reasons", "digest", "computed_at")


@dataclass(frozen=True)
class DiffRow:
    """One line of the preview: a student whose entitlement appears, goes or changes."""

    policy_code: str
    student_id: int
    student_name: str
    masked_id_number: str
    school_name: str
    before: tuple[str, int | None, Decimal] | None  # status, tier, amount
    after: tuple[str, int | None, Decimal] | None


@dataclass(frozen=True)
class FloorWarning:
    policy_code: str
    school_name: str
    base: int
    required: Decimal
    counted: int


@dataclass(frozen=True)
class ConflictNote:
    policy_code: str
    student_name: str
    school_names: tuple[str, ...]


@dataclass
class ComputeResult:
    """What a computation did (or, with dry_run, would do) against the current list."""

    term: Term
    township: Township | None
    dry_run: bool
    policy_codes: list[str] = field(default_factory=list)
    added: list[DiffRow] = field(default_factory=list)
    removed: list[DiffRow] = field(default_factory=list)
    changed: list[DiffRow] = field(default_factory=list)
    refreshed: int = 0
    unchanged: int = 0
    locked: int = 0
    floor_warnings: list[FloorWarning] = field(default_factory=list)
    conflicts: list[ConflictNote] = field(default_factory=list)
    ignored_additions: list[str] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.refreshed)


def require_aid_township(actor: Actor, township: Township | None, permission: str) -> None:
    """The actor holds `permission` and works on `township`'s list (or the county's, county-wide)."""
    require(
        actor,
        permission,
        township=township,
        write=True,
        read_only="只能处理本乡镇的资助名单。",
        out_of_scope="只能处理本乡镇的资助名单。",
    )


def _in_scope(queryset: Any, township: Township | None) -> Any:
    if township is None:
        return queryset
    return queryset.filter(enrollment__school__township=township)


def _snapshot(status: str, tier: int | None, amount: Decimal) -> tuple[str, int | None, Decimal]:
    return (status, tier, amount)


def _categories_text(codes: tuple[str, ...]) -> str:
    return "," + ",".join(codes) + "," if codes else ""


def _override_facts(policy: Policy, term: Term) -> dict[int, OverrideFact]:
    overrides = EntitlementOverride.objects.filter(policy=policy, term=term).select_related("created_by")
    return {
        o.student_id: OverrideFact(
            action=o.action,
            tier=o.tier,
            reason=o.reason,
            by=o.created_by.get_full_name() or o.created_by.get_username(),
            on=timezone.localtime(o.created_at).strftime("%Y-%m-%d"),
        )
        for o in overrides
    }


class _Current(NamedTuple):
    """What recomputation needs of an existing row (no JSON decoded)."""

    id: int
    student_id: int
    enrollment_id: int
    status: str
    tier: int | None
    amount: Decimal
    digest: str
    approval_id: int | None


def _awarded_elsewhere(policy: Policy, term: Term, township: Township | None) -> set[int]:
    """Students of `township` whose row of the policy is at another township's school: that row wins."""
    if township is None:
        return set()
    return set(
        Entitlement.objects.filter(policy=policy, term=term)
        .exclude(enrollment__school__township=township)
        .filter(
            student_id__in=Enrollment.objects.filter(
                school_year_id=term.school_year_id,
                status=EnrollmentStatus.STUDYING,
                school__township=township,
            ).values("student_id")
        )
        .values_list("student_id", flat=True)
    )


@dataclass
class _Plan:
    """The writes a policy's computation needs."""

    to_create: list[dict[str, Any]] = field(default_factory=list)
    to_update: list[Entitlement] = field(default_factory=list)
    decided: set[int] = field(default_factory=set)


def _plan(
    *,
    policy: Policy,
    term: Term,
    decisions: list[Decision],
    existing: dict[int, _Current],
    elsewhere: set[int],
    result: ComputeResult,
    now: Any,
) -> _Plan:
    """Compare each decision with the student's current row: what to add, update or leave."""
    plan = _Plan()
    serialised: dict[int, str] = {}
    for d in decisions:
        if d.student_id in elsewhere:
            result.conflicts.append(
                ConflictNote(policy.code, d.student_name, (d.school_name, "其他乡镇学校（已有该项资助）"))
            )
            continue
        plan.decided.add(d.student_id)
        values = _values(d, serialised)
        current = existing.get(d.student_id)
        if current is None:
            plan.to_create.append(
                {"student_id": d.student_id, "policy_id": policy.pk, "term_id": term.pk, "computed_at": now, "approval_id": None, **values}
            )
            result.added.append(_diff(policy, d, None, _snapshot(d.status, d.tier, d.amount)))
            continue
        if current.status in LOCKED_STATUSES:
            continue
        if current.digest == values["digest"]:
            result.unchanged += 1
            continue
        before = _snapshot(current.status, current.tier, current.amount)
        after = _snapshot(d.status, d.tier, d.amount)
        if before != after or current.enrollment_id != d.enrollment_id:
            result.changed.append(_diff(policy, d, before, after))
        else:
            result.refreshed += 1
        plan.to_update.append(
            Entitlement(
                pk=current.id, student_id=d.student_id, policy=policy, term=term,
                approval_id=current.approval_id, computed_at=now, **values,
            )
        )
    return plan


def _removals(policy: Policy, existing: dict[int, _Current], decided: set[int], result: ComputeResult) -> list[int]:
    """The unapproved rows no decision kept, listed in the result; their ids."""
    removed = [
        e for student_id, e in existing.items() if student_id not in decided and e.status not in LOCKED_STATUSES
    ]
    remove_ids = [e.id for e in removed]
    # Students who left are not among the facts: their names come from one query per batch.
    labels = {
        pk: (name, id_number, school)
        for start in range(0, len(remove_ids), BATCH_SIZE)
        for pk, name, id_number, school in Entitlement.objects.filter(
            pk__in=remove_ids[start : start + BATCH_SIZE]
        ).values_list("pk", "student__name", "student__id_number", "enrollment__school__name")
    }
    for e in removed:
        name, id_number, school = labels[e.id]
        result.removed.append(
            DiffRow(
                policy.code, e.student_id, name, mask_id_number(id_number), school,
                _snapshot(e.status, e.tier, e.amount), None,
            )
        )
    return remove_ids


def _compute_policy(
    *, policy: Policy, term: Term, township: Township | None, result: ComputeResult, actor: Actor, now: Any
) -> None:
    spec = PolicySpec.from_policy(policy)
    rows = population_facts(policy, term=term, township=township)
    existing = {
        row.student_id: row
        for row in map(
            _Current._make,
            _in_scope(Entitlement.objects.filter(policy=policy, term=term), township).values_list(*_Current._fields),
        )
    }
    elsewhere = _awarded_elsewhere(policy, term, township)
    school_of = {row["id"]: row["school_id"] for row in rows}
    locked = {
        e.student_id: school_of.get(e.enrollment_id, -1)
        for e in existing.values()
        if e.status in LOCKED_STATUSES
    }
    allocations = quota_allocations(term, [policy])[policy.pk]
    outcome = allocation.decide(
        spec, rows, overrides=_override_facts(policy, term), locked=locked, allocations=allocations
    )
    result.locked += len(locked)

    plan = _plan(
        policy=policy, term=term, decisions=outcome.decisions, existing=existing, elsewhere=elsewhere,
        result=result, now=now,
    )
    remove_ids = _removals(policy, existing, plan.decided, result)
    for school in outcome.floor_warnings:
        result.floor_warnings.append(
            FloorWarning(policy.code, school.school_name, school.floor_base, school.floor_required or Decimal(0), school.floor_counted)
        )
    for conflict in outcome.conflicts:
        result.conflicts.append(ConflictNote(policy.code, conflict.student_name, conflict.school_names))
    names = {row["student_id"]: row["student__name"] for row in rows}
    result.ignored_additions.extend(f"{policy.code} {names.get(sid, '')}" for sid in outcome.ignored_additions)

    if result.dry_run:
        return
    history_user = actor_user(actor)
    if plan.to_create:
        _create_with_history(plan.to_create, policy=policy, term=term, history_user=history_user, now=now)
    if plan.to_update:
        bulk_update_with_history(
            plan.to_update, Entitlement, list(_UPDATED), batch_size=BATCH_SIZE // 4, default_user=history_user
        )
    if remove_ids:
        _delete_with_history(remove_ids, history_user=history_user, now=now)


def _values(d: Decision, serialised: dict[int, str]) -> dict[str, Any]:
    """The row's column values and their digest (`serialised` caches each shared reasons object's JSON)."""
    reasons_json = serialised.get(id(d.reasons))
    if reasons_json is None:
        reasons_json = serialised[id(d.reasons)] = json.dumps(d.reasons, sort_keys=True, ensure_ascii=False)
    categories = _categories_text(d.categories)
    text = f"{d.enrollment_id}|{d.status}|{d.tier}|{d.amount}|{d.standard}|{d.qualifies}|{categories}|{d.priority}|{d.has_conflict}|{reasons_json}"
    return {
        "enrollment_id": d.enrollment_id,
        "status": d.status,
        "tier": d.tier,
        "amount": d.amount,
        "max_amount": d.standard,
        "qualifies": d.qualifies,
        "categories": categories,
        "priority": d.priority,
        "has_conflict": d.has_conflict,
        "reasons": d.reasons,
        "digest": hashlib.md5(text.encode(), usedforsecurity=False).hexdigest(),
    }


def _diff(policy: Policy, d: Decision, before: Any, after: Any) -> DiffRow:
    return DiffRow(policy.code, d.student_id, d.student_name, mask_id_number(d.id_number), d.school_name, before, after)


def _create_with_history(
    rows: list[dict[str, Any]], *, policy: Policy, term: Term, history_user: Any, now: Any
) -> None:
    """Insert new entitlements and their '+' history rows (SECURITY C4), two statements in all."""
    cache: dict[Any, Any] = {}
    fields = [f for f in Entitlement._meta.concrete_fields if not f.primary_key]
    insert_rows(Entitlement, fields, [[row[f.attname] for f in fields] for row in rows], cache=cache)
    created = {row["student_id"] for row in rows}
    ids = {
        student_id: pk
        for pk, student_id in Entitlement.objects.filter(policy=policy, term=term).values_list("pk", "student_id")
        if student_id in created
    }
    history_model = Entitlement.history.model
    tracked = list(history_model.tracked_fields)
    history_fields = [history_model._meta.get_field(f.attname if f.primary_key else f.name) for f in tracked]
    extra = [
        history_model._meta.get_field(name)
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    ]
    history_user_id = history_user.pk if history_user is not None else None
    history_rows = []
    for row in rows:
        row["id"] = ids[row["student_id"]]
        history_rows.append([row[f.attname] for f in tracked] + [now, "测算生成", "+", history_user_id])
    insert_rows(history_model, history_fields + extra, history_rows, cache=cache)


def _delete_with_history(ids: list[int], *, history_user: Any, now: Any) -> None:
    """Delete proposals that no longer apply, writing their '-' history rows in bulk.

    `QuerySet.delete()` would send one post_delete signal, hence one history
    INSERT, per row; the history is written here in one bulk insert instead and
    the rows removed with one DELETE (only unapproved rows ever come here, and
    nothing points at those).
    """
    rows = [row for start in range(0, len(ids), BATCH_SIZE) for row in Entitlement.objects.filter(pk__in=ids[start : start + BATCH_SIZE])]
    history_model = Entitlement.history.model
    history_model.objects.bulk_create(
        [
            history_model(
                history_date=now,
                history_user=history_user,
                history_type="-",
                history_change_reason="重新测算后不再列入",
                **{f.attname: getattr(row, f.attname) for f in history_model.tracked_fields},
            )
            for row in rows
        ],
        batch_size=BATCH_SIZE,
    )
    for start in range(0, len(ids), BATCH_SIZE):
        queryset = Entitlement.objects.filter(pk__in=ids[start : start + BATCH_SIZE])
        queryset._raw_delete(queryset.db)


def entitlements_compute(
    *,
    term: Term,
    actor: Actor,
    township: Township | None = None,
    policy_code: str | None = None,
    dry_run: bool = False,
) -> ComputeResult:
    """Compute a term's proposals for every computed policy (or one), county-wide or for a township.

    With `dry_run` nothing is written and the result is the preview of what
    would change. Approved and paid entitlements are never touched; overrides
    are applied; computing twice changes nothing. Two computations racing for
    the same rows: the unique constraint lets one win, the other is told to retry.
    """
    require_aid_township(actor, township, "subsidies.add_entitlement")
    try:
        return _entitlements_compute(
            term=term, township=township, policy_code=policy_code, dry_run=dry_run, actor=actor
        )
    except IntegrityError as exc:
        raise ValidationError("另一位工作人员正在测算同一名单，请稍后重试。") from exc


@transaction.atomic
def _entitlements_compute(
    *, term: Term, township: Township | None, policy_code: str | None, dry_run: bool, actor: Actor
) -> ComputeResult:
    policies = policies_for_term(term, policy_code)
    if policy_code and not policies:
        raise ValidationError(f"{term.school_year.name}学年没有代码为 {policy_code} 的测算类资助项目。")
    if not policies:
        # Never a silent "no change": a year nobody has opened has nothing to compute.
        raise ValidationError(f"{term.school_year.name}学年尚未设置资助项目，无法测算。请先开设该学年。")
    result = ComputeResult(term=term, township=township, dry_run=dry_run)
    now = timezone.now()
    for policy in policies:
        if policy.kind not in pricing.RULES:
            continue
        result.policy_codes.append(policy.code)
        _compute_policy(policy=policy, term=term, township=township, result=result, actor=actor, now=now)
    if dry_run:
        transaction.set_rollback(True)
    return result


# ---------------------------------------------------------------------------
# Accepting a preview (the browser workflow): apply exactly what was previewed


def compute_result_digest(result: ComputeResult) -> str:
    """A fingerprint of what a computation changes: its scope, every added, removed and changed row.

    A preview (dry run) and a real run over the same data give the same digest,
    so a page can post the preview's digest back and have only that applied.
    """

    def snapshot(values: tuple[str, int | None, Decimal] | None) -> str:
        return "" if values is None else "/".join(str(v) for v in values)

    def rows(diff: list[DiffRow]) -> list[str]:
        return sorted(f"{d.policy_code}|{d.student_id}|{snapshot(d.before)}|{snapshot(d.after)}" for d in diff)

    payload = {
        "term": result.term.pk,
        "township": result.township.pk if result.township is not None else None,
        "policies": sorted(result.policy_codes),
        "added": rows(result.added),
        "removed": rows(result.removed),
        "changed": rows(result.changed),
        "refreshed": result.refreshed,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def entitlements_compute_accept(
    *,
    term: Term,
    township: Township | None,
    policy_code: str | None = None,
    expected_digest: str,
    actor: Actor,
) -> tuple[ComputeResult, bool]:
    """Compute for real, but keep the result only if it is the previewed one (`expected_digest`).

    Returns the result and whether it was applied. When the list changed since
    the preview, everything is rolled back and the result is the fresh preview.
    """
    with transaction.atomic():
        result = entitlements_compute(term=term, township=township, policy_code=policy_code, actor=actor)
        applied = compute_result_digest(result) == expected_digest
        if not applied:
            transaction.set_rollback(True)
            result.dry_run = True
    return result, applied
