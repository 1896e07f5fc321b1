"""The services that change entitlements: compute a term, override, approve; and the term summary.

Computing is idempotent: it turns `allocation.decide` outcomes into rows,
adding, updating and removing only *proposed* (or left-out / excluded) rows,
never approved or paid ones, and keeping staff overrides. Writes are bulk and
recorded in the entitlement history (simple_history's bulk helpers).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Case, Count, Field, Model, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from aidsite.access import scope_queryset, user_scope
from aidsite.lib.idcard import mask_id_number
from students.models import Enrollment, EnrollmentStatus, Student, Term, Township
from subsidies.models import (
    AWARDED_STATUSES,
    LOCKED_STATUSES,
    CountBase,
    Entitlement,
    EntitlementApproval,
    EntitlementOverride,
    EntitlementStatus,
    OverrideAction,
    Policy,
)
from subsidies.rules import allocation, facts, pricing
from subsidies.rules.allocation import quota_for
from subsidies.rules.decisions import Decision, OverrideFact
from subsidies.rules.policy import PolicySpec
from subsidies.selectors import (
    category_filter,
    policies_for_term,
    population_facts,
    population_queryset,
)

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


def _check_township(user: Any, township: Township | None, permission: str) -> None:
    """Services called with a user check role and township themselves (views stay thin)."""
    if user is None:
        return
    if not user.has_perm(permission):
        raise PermissionDenied("没有此操作的权限。")
    scope = user_scope(user)
    if scope.everything and not scope.read_only:
        return
    if scope.township_id is None or township is None or township.pk != scope.township_id:
        raise PermissionDenied("只能处理本乡镇的资助名单。")


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


def _compute_policy(
    *, policy: Policy, term: Term, township: Township | None, result: ComputeResult, user: Any, now: Any
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
    # Rows of these students elsewhere in the county (another township's school): they win.
    elsewhere: set[int] = set()
    if township is not None:
        elsewhere = set(
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
    school_of = {row["id"]: row["school_id"] for row in rows}
    locked = {
        e.student_id: school_of.get(e.enrollment_id, -1)
        for e in existing.values()
        if e.status in LOCKED_STATUSES
    }
    outcome = allocation.decide(spec, rows, overrides=_override_facts(policy, term), locked=locked)
    result.locked += len(locked)

    names = {row["student_id"]: (row["student__name"], row["student__id_number"]) for row in rows}
    to_create: list[dict[str, Any]] = []
    serialised: dict[int, str] = {}
    to_update: list[Entitlement] = []
    decided: set[int] = set()
    for d in outcome.decisions:
        if d.student_id in elsewhere:
            result.conflicts.append(
                ConflictNote(policy.code, d.student_name, (d.school_name, "其他乡镇学校（已有该项资助）"))
            )
            continue
        decided.add(d.student_id)
        values = _values(d, serialised)
        current = existing.get(d.student_id)
        if current is None:
            to_create.append(
                {
                    "student_id": d.student_id,
                    "policy_id": policy.pk,
                    "term_id": term.pk,
                    "computed_at": now,
                    "approval_id": None,
                    **values,
                }
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
        to_update.append(
            Entitlement(
                pk=current.id,
                student_id=d.student_id,
                policy=policy,
                term=term,
                approval_id=current.approval_id,
                computed_at=now,
                **values,
            )
        )

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
                policy.code,
                e.student_id,
                name,
                mask_id_number(id_number),
                school,
                _snapshot(e.status, e.tier, e.amount),
                None,
            )
        )

    for school in outcome.floor_warnings:
        result.floor_warnings.append(
            FloorWarning(policy.code, school.school_name, school.floor_base, school.floor_required or Decimal(0), school.floor_counted)
        )
    for conflict in outcome.conflicts:
        result.conflicts.append(ConflictNote(policy.code, conflict.student_name, conflict.school_names))
    result.ignored_additions.extend(
        f"{policy.code} {names.get(sid, ('', ''))[0]}" for sid in outcome.ignored_additions
    )

    if result.dry_run:
        return
    if to_create:
        _create_with_history(to_create, policy=policy, term=term, user=user, now=now)
    if to_update:
        bulk_update_with_history(to_update, Entitlement, list(_UPDATED), batch_size=BATCH_SIZE // 4, default_user=user)
    if remove_ids:
        _delete_with_history(remove_ids, user=user, now=now)


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


# Columns whose Python values the database drivers take as they are: for these
# `get_db_prep_save` returns an int, str or bool unchanged.
_PLAIN_TYPES = {
    "AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField",
    "CharField", "TextField", "BooleanField",
}


def _insert_many(model: type[Model], fields: list[Field], rows: list[list[Any]], cache: dict[Any, Any]) -> None:
    """INSERT `rows` (values in `fields` order) with one parameterised statement, executed for all rows.

    This is `bulk_create` without its per-value SQL compilation, which costs
    more than everything else of a county-wide computation (about 100 µs a
    row, history included; issue 3 asks for 100,000 students in under 10 s).
    The statement holds only the model's own table and column names, quoted
    by the backend; every value is a bound parameter, adapted by the field's
    own `get_db_prep_save` (SECURITY E6: no SQL is built from data). One
    `executemany` (SQLite) or `COPY` (PostgreSQL) per call keeps the number of
    queries independent of the number of rows.
    """
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - identifiers from model metadata only
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )

    def adapter(field: Field) -> Any:
        target = field.target_field if field.is_relation else field
        plain = target.get_internal_type() in _PLAIN_TYPES
        prep = field.get_db_prep_save
        column = field.column

        def adapt(value: Any) -> Any:
            if value is None or (plain and type(value) in (int, str, bool)):
                return value
            # Repeated values (term, policy, amount, the time, one reasons dict
            # shared by a row and its history row) are adapted once.
            key = (column, id(value)) if isinstance(value, dict | list) else (column, type(value), value)
            try:
                return cache[key]
            except KeyError:
                cache[key] = adapted = prep(value, db)
                return adapted

        return adapt

    adapters = [adapter(f) for f in fields]
    params = [[adapt(v) for adapt, v in zip(adapters, row, strict=True)] for row in rows]
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            # PostgreSQL's own bulk path: COPY streams the rows as data in one statement
            # (Django's client-side-binding cursor would parse and plan one INSERT per row).
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
            )
            with db.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
                for row in params:
                    copy.write_row(row)
        else:
            cursor.executemany(sql, params)


def _create_with_history(
    rows: list[dict[str, Any]], *, policy: Policy, term: Term, user: Any, now: Any
) -> None:
    """Insert new entitlements and their '+' history rows (SECURITY C4), two statements in all."""
    cache: dict[Any, Any] = {}
    fields = [f for f in Entitlement._meta.concrete_fields if not f.primary_key]
    _insert_many(Entitlement, fields, [[row[f.attname] for f in fields] for row in rows], cache)
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
    history_user = user.pk if user is not None and user.is_authenticated else None
    history_rows = []
    for row in rows:
        row["id"] = ids[row["student_id"]]
        history_rows.append([row[f.attname] for f in tracked] + [now, "测算生成", "+", history_user])
    _insert_many(history_model, history_fields + extra, history_rows, cache)


def _delete_with_history(ids: list[int], *, user: Any, now: Any) -> None:
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
                history_user=user if user is not None and user.is_authenticated else None,
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
    township: Township | None = None,
    policy_code: str | None = None,
    dry_run: bool = False,
    user: Any = None,
) -> ComputeResult:
    """Compute a term's proposals for every computed policy (or one), county-wide or for a township.

    With `dry_run` nothing is written and the result is the preview of what
    would change. Approved and paid entitlements are never touched; overrides
    are applied; computing twice changes nothing. Two computations racing for
    the same rows: the unique constraint lets one win, the other is told to retry.
    """
    _check_township(user, township, "subsidies.add_entitlement")
    try:
        return _entitlements_compute(
            term=term, township=township, policy_code=policy_code, dry_run=dry_run, user=user
        )
    except IntegrityError as exc:
        raise ValidationError("另一位工作人员正在测算同一名单，请稍后重试。") from exc


@transaction.atomic
def _entitlements_compute(
    *, term: Term, township: Township | None, policy_code: str | None, dry_run: bool, user: Any
) -> ComputeResult:
    policies = policies_for_term(term, policy_code)
    if policy_code and not policies:
        raise ValidationError(f"{term.school_year.name}学年没有代码为 {policy_code} 的测算类资助项目。")
    result = ComputeResult(term=term, township=township, dry_run=dry_run)
    now = timezone.now()
    for policy in policies:
        if policy.kind not in pricing.RULES:
            continue
        result.policy_codes.append(policy.code)
        _compute_policy(policy=policy, term=term, township=township, result=result, user=user, now=now)
    if dry_run:
        transaction.set_rollback(True)
    return result


def _student_township(student: Student, term: Term, user: Any) -> Township:
    enrollments = Enrollment.objects.filter(
        student=student, school_year_id=term.school_year_id, status=EnrollmentStatus.STUDYING
    ).select_related("school__township")
    scope = user_scope(user) if user is not None else None
    for enrollment in enrollments.order_by("pk"):
        if scope is None or scope.everything or scope.township_id == enrollment.school.township_id:
            return enrollment.school.township
    raise ValidationError("该学生本学年在您的辖区内没有在读学籍。")


@transaction.atomic
def entitlement_override(
    *,
    student: Student,
    policy: Policy,
    term: Term,
    action: str,
    reason: str,
    user: Any,
    tier: int | None = None,
) -> EntitlementOverride:
    """Record a staff decision (another tier, an exclusion or an addition) and recompute the policy.

    The override is kept and re-applied by every later computation.
    """
    township = _student_township(student, term, user)
    _check_township(user, township, "subsidies.add_entitlementoverride")
    if policy.school_year_id != term.school_year_id:
        raise ValidationError("资助项目与学期不属于同一学年。")
    current = Entitlement.objects.filter(student=student, policy=policy, term=term).first()
    if current is not None and current.status in LOCKED_STATUSES:
        raise ValidationError("该生此项资助已审核，不能再调整。")
    if action == OverrideAction.EXCLUDE:
        tier = None
    if tier is not None and not policy.tiers.filter(tier=tier).exists():
        raise ValidationError({"tier": f"“{policy.name}”没有 {tier} 档。"})
    override = EntitlementOverride.objects.filter(student=student, policy=policy, term=term).first()
    override = override or EntitlementOverride(student=student, policy=policy, term=term)
    override.action = action
    override.tier = tier
    override.reason = (reason or "").strip()
    override.created_by = user
    override.full_clean()
    override.save()
    entitlements_compute(term=term, township=township, policy_code=policy.code, user=user)
    return override


@transaction.atomic
def entitlement_override_remove(*, override: EntitlementOverride, user: Any) -> None:
    """Withdraw a staff decision; the policy is recomputed without it."""
    township = _student_township(override.student, override.term, user)
    _check_township(user, township, "subsidies.delete_entitlementoverride")
    term, code = override.term, override.policy.code
    override.delete()
    entitlements_compute(term=term, township=township, policy_code=code, user=user)


@transaction.atomic
def entitlements_approve(
    *, term: Term, township: Township, user: Any, policy_code: str | None = None
) -> EntitlementApproval:
    """资助名单审核: freeze the township's proposed entitlements for the term (one policy or all)."""
    _check_township(user, township, "subsidies.approve_entitlement")
    queryset = Entitlement.objects.filter(
        term=term, enrollment__school__township=township, status=EntitlementStatus.PROPOSED
    )
    if policy_code:
        queryset = queryset.filter(policy__code=policy_code)
    if connection.features.has_select_for_update_of:
        queryset = queryset.select_for_update(of=("self",))
    rows = list(queryset.select_related("policy"))
    if not rows:
        raise ValidationError("没有待审核的拟资助名单。")
    codes = sorted({row.policy.code for row in rows})
    approval = EntitlementApproval.objects.create(
        term=term,
        township=township,
        policy_codes=",".join(codes),
        approved_by=user,
        entitlement_count=len(rows),
        total_amount=sum((row.amount for row in rows), Decimal("0")),
    )
    for row in rows:
        row.status = EntitlementStatus.APPROVED
        row.approval = approval
    bulk_update_with_history(
        rows, Entitlement, ["status", "approval"], batch_size=BATCH_SIZE // 4, default_user=user,
        default_change_reason="资助名单审核",
    )
    return approval


# ---------------------------------------------------------------------------
# Selectors (read only)


def entitlement_list(
    *,
    user: Any,
    term: Term,
    township: Township | None = None,
    policy_code: str | None = None,
    school_id: int | None = None,
    tier: int | None = None,
    status: str | None = None,
) -> QuerySet[Entitlement]:
    """The review list (资助名单) a user may see, filtered, joined for display in one query."""
    queryset = scope_queryset(user, Entitlement.objects.filter(term=term))
    if township is not None:
        queryset = queryset.filter(enrollment__school__township=township)
    if policy_code:
        queryset = queryset.filter(policy__code=policy_code)
    if school_id:
        queryset = queryset.filter(enrollment__school_id=school_id)
    if tier:
        queryset = queryset.filter(tier=tier)
    if status:
        queryset = queryset.filter(status=status)
    # Within a school the awarded come first (in quota order), then those left out, then exclusions.
    awarded_first = Case(
        When(status__in=AWARDED_STATUSES, then=Value(0)),
        When(status=EntitlementStatus.NOT_AWARDED, then=Value(1)),
        default=Value(2),
    )
    return queryset.select_related(
        "student", "enrollment__school__township", "policy", "approval"
    ).order_by("policy__order", "enrollment__school__name", awarded_first, "priority", "student__name", "pk")


# ---------------------------------------------------------------------------
# The term summary (a selector: reads only)


@dataclass
class SummaryRow:
    """One policy at one school for one term."""

    policy_code: str
    policy_name: str
    township_name: str
    school_id: int
    school_name: str
    enrolled: int
    qualifying: int
    quota: int | None
    awarded: int
    not_awarded: int
    excluded: int
    total_amount: Decimal
    average_standard: Decimal | None
    conflicts: int
    floor_required: Decimal | None
    floor_counted: int
    awarded_exempt: int = 0
    awarded_poor_village: int = 0

    @property
    def actual_average(self) -> Decimal | None:
        """The awarded students' average, per year (two terms), to compare with the standard."""
        if not self.awarded:
            return None
        return pricing.money(self.total_amount * 2 / self.awarded)

    @property
    def below_floor(self) -> bool:
        return self.floor_required is not None and Decimal(self.floor_counted) < self.floor_required

    @property
    def in_quota(self) -> int:
        """Awarded students who take a quota place (not the quota-exempt categories)."""
        return self.awarded - self.awarded_exempt

    @property
    def beyond_quota_poor_village(self) -> int:
        """How far province-designated poor-village full coverage took the school past its quota."""
        if self.quota is None:
            return 0
        return max(0, min(self.in_quota, self.awarded_poor_village) - self.quota)

    @property
    def over_quota(self) -> bool:
        """More awarded than the quota allows once poor-village coverage is counted first."""
        if self.quota is None:
            return False
        regular = self.in_quota - self.awarded_poor_village
        return regular > max(0, self.quota - self.awarded_poor_village)


def term_summary(
    *, term: Term, township: Township | None = None, policy_code: str | None = None
) -> list[SummaryRow]:
    """Per policy and school: enrolled, qualifying, quota, awarded, total, average, floor, conflicts.

    One aggregate query per policy for the population counts, one for the entitlements.
    """
    policies = [p for p in policies_for_term(term, policy_code) if p.kind in pricing.RULES]
    floor_categories = sorted({p.floor_category for p in policies if p.floor_ratio is not None and p.floor_category})
    awarded = Q(status__in=AWARDED_STATUSES)
    annotations: dict[str, Any] = {
        "qualifying": Count("id", filter=Q(qualifies=True)),
        "awarded": Count("id", filter=awarded),
        "not_awarded": Count("id", filter=Q(status=EntitlementStatus.NOT_AWARDED)),
        "excluded": Count("id", filter=Q(status=EntitlementStatus.EXCLUDED)),
        "total": Sum("amount", filter=awarded),
        "conflicts": Count("id", filter=Q(has_conflict=True)),
    }
    for category in floor_categories:
        annotations[f"floor_{category}"] = Count("id", filter=awarded & Q(categories__contains=f",{category},"))
    # Awards outside the quota (exempt categories, e.g. agricultural majors) and poor-village coverage.
    exempt = Q(pk__in=[])
    for policy in policies:
        for category in PolicySpec.from_policy(policy).exempt_categories:
            exempt |= Q(policy_id=policy.pk, categories__contains=f",{category},")
    annotations["awarded_exempt"] = Count("id", filter=awarded & exempt)
    annotations["awarded_poor_village"] = Count(
        "id", filter=awarded & ~exempt & Q(categories__contains=f",{facts.POOR_VILLAGE},")
    )
    entitlement_counts = {
        (r["policy_id"], r["enrollment__school_id"]): r
        for r in _in_scope(Entitlement.objects.filter(term=term, policy__in=policies), township)
        .values("policy_id", "enrollment__school_id")
        .annotate(**annotations)
        .order_by()
    }
    rows: list[SummaryRow] = []
    for policy in policies:
        spec = PolicySpec.from_policy(policy)
        counts_by_school: dict[str, Any] = {
            "enrolled": Count("id"),
            "boarders": Count("id", filter=Q(is_boarding=True)),
        }
        if spec.exempt_categories:
            exempt = Q()
            for category in spec.exempt_categories:
                exempt |= category_filter(category, lifted_count=policy.lifted_households_count)
            counts_by_school["exempt"] = Count("id", filter=exempt)
        population = (
            population_queryset(policy, term=term, township=township)
            .values("school_id", "school__name", "school__township__name")
            .annotate(**counts_by_school)
            .order_by("school__township__name", "school__name")
        )
        for school in population:
            counts = entitlement_counts.get((policy.pk, school["school_id"]), {})
            base_counts = {
                CountBase.POPULATION: school["enrolled"],
                CountBase.NON_EXEMPT: school["enrolled"] - school.get("exempt", 0),
                CountBase.BOARDERS: school["boarders"],
            }
            quota = (
                quota_for(policy.quota_ratio, base_counts[policy.quota_base])
                if policy.quota_ratio is not None
                else None
            )
            floor_required = None
            floor_counted = 0
            if policy.floor_ratio is not None:
                floor_required = policy.floor_ratio * base_counts[policy.floor_base]
                floor_counted = counts.get(f"floor_{policy.floor_category}", 0) if policy.floor_category else counts.get("awarded", 0)
            rows.append(
                SummaryRow(
                    policy_code=policy.code,
                    policy_name=policy.name,
                    township_name=school["school__township__name"],
                    school_id=school["school_id"],
                    school_name=school["school__name"],
                    enrolled=school["enrolled"],
                    qualifying=counts.get("qualifying", 0),
                    quota=quota,
                    awarded=counts.get("awarded", 0),
                    not_awarded=counts.get("not_awarded", 0),
                    excluded=counts.get("excluded", 0),
                    total_amount=counts.get("total") or Decimal("0.00"),
                    average_standard=policy.average_standard,
                    conflicts=counts.get("conflicts", 0),
                    floor_required=floor_required,
                    floor_counted=floor_counted,
                    awarded_exempt=counts.get("awarded_exempt", 0),
                    awarded_poor_village=counts.get("awarded_poor_village", 0),
                )
            )
    return rows


def summary_totals(rows: list[SummaryRow]) -> dict[str, Any]:
    """Per policy totals of a summary (for the last lines of a table)."""
    totals: dict[str, dict[str, Any]] = defaultdict(lambda: {"awarded": 0, "total": Decimal("0.00")})
    for row in rows:
        totals[row.policy_code]["awarded"] += row.awarded
        totals[row.policy_code]["total"] += row.total_amount
    return dict(totals)


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
    user: Any,
) -> tuple[ComputeResult, bool]:
    """Compute for real, but keep the result only if it is the previewed one (`expected_digest`).

    Returns the result and whether it was applied. When the list changed since
    the preview, everything is rolled back and the result is the fresh preview.
    """
    with transaction.atomic():
        result = entitlements_compute(term=term, township=township, policy_code=policy_code, user=user)
        applied = compute_result_digest(result) == expected_digest
        if not applied:
            transaction.set_rollback(True)
            result.dry_run = True
    return result, applied
