"""The auditors' workbooks of issue 4: a term's ledger, funds per village and household, conflicts.

(The aid list is `subsidies.exports.aid.entitlements_export`.)

One rows generator per workbook (header first) from one well-joined queryset,
streamed with `.iterator()` so that the query count does not grow with the
rows, handed to the shared formal writer (`aidsite.lib.excel.write_formal_workbook`).
Every export checks the permission, stays in the user's scope, masks ID numbers
and accounts unless the user may see them, and is written to the access log.
A `user` of None means the server's command line (manage.py export_ledger):
the whole county, unmasked, logged without a user.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from aidsite.access import can_reveal_personal_data, log_access, scope_queryset
from aidsite.lib.excel import WorkbookResult, write_formal_workbook
from aidsite.lib.idcard import mask_account, mask_id_number
from aidsite.models import AccessAction
from students.models import School, SchoolYear, Sex, Term, Township
from subsidies.models import (
    BatchStatus,
    LedgerEntry,
    PaymentMethod,
    PaymentStatus,
    Policy,
)
from subsidies.selectors import funds_by_household, ledger_conflicts

CHUNK = 2000
EXPORT_PERMISSION = "subsidies.export_disbursementbatch"

LEDGER_HEADER = (
    "序号", "学校", "年级", "班级", "姓名", "性别", "公民身份号码", "村（社区）", "资助项目", "档次",
    "发放方式", "收款账号", "发放金额（元）", "发放结果", "备注",
)
LEDGER_MONEY = ("发放金额（元）",)


@dataclass(frozen=True)
class LedgerFilter:
    """Which part of a term's ledger: a township, a school and/or a policy, or the whole county."""

    term: Term
    township: Township | None = None
    school: School | None = None
    policy: Policy | None = None

    @property
    def place(self) -> str:
        if self.school is not None:
            return self.school.name
        if self.township is not None:
            return self.township.name
        return "全县"

    @property
    def issuer(self) -> str:
        if self.school is not None:
            return self.school.name
        if self.township is not None:
            return f"{self.township.name}教育办公室"
        return settings.AID_OFFICE_NAME

    def title(self, what: str = "发放台账") -> str:
        policy = self.policy.name if self.policy is not None else "学生资助"
        term = self.term
        return f"{self.place}{term.school_year.name}学年{term.get_season_display()}{policy}{what}"


def _check(user: Any) -> None:
    if user is not None and not user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied("没有导出发放台账的权限。")


def _scoped(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset if user is None else scope_queryset(user, queryset)


def _reveal(user: Any) -> bool:
    return user is None or can_reveal_personal_data(user)


# ---------------------------------------------------------------------------
# The ledger of a term


def ledger_queryset(user: Any, selection: LedgerFilter) -> QuerySet[LedgerEntry]:
    queryset = _scoped(user, LedgerEntry.objects.all()).filter(
        term=selection.term, batch__status=BatchStatus.APPROVED
    )
    if selection.township is not None:
        queryset = queryset.filter(batch__township=selection.township)
    if selection.school is not None:
        queryset = queryset.filter(school=selection.school)
    if selection.policy is not None:
        queryset = queryset.filter(policy=selection.policy)
    return queryset.order_by(
        "batch__township__name",
        "policy__order",
        "policy__code",
        "school__name",
        "entitlement__enrollment__grade",
        "entitlement__enrollment__class_name",
        "student__name",
        "pk",
    )


def _labels(choices: Any) -> dict[str, str]:
    # Resolved once per export: a lazy translation per cell costs more than the cell.
    return {value: str(label) for value, label in choices}


_LEDGER_FIELDS = (
    "school__name",
    "entitlement__enrollment__grade",
    "entitlement__enrollment__class_name",
    "student__name",
    "student__sex",
    "student__id_number",
    "student__household__village__name",
    "policy__name",
    "entitlement__tier",
    "method",
    "account_number",
    "amount",
    "is_live",
    "payment_status",
    "batch__sequence",
    "reversal__id",
    "reversal__reason",
    "bank_result__reason",
)


def ledger_rows(entries: QuerySet[LedgerEntry], *, reveal: bool) -> Iterator[tuple[Any, ...]]:
    """The ledger: one row per entry; voided entries (reversed, failed) show why and carry no amount.

    Plain tuples from one joined query (no model instances): a county's
    100,000 rows stream at the speed of the writer.
    """
    sexes = _labels(Sex.choices)
    methods = _labels(PaymentMethod.choices)
    statuses = _labels(PaymentStatus.choices)
    yield LEDGER_HEADER
    rows = entries.values_list(*_LEDGER_FIELDS).iterator(chunk_size=CHUNK)
    for n, (
        school, grade, class_name, name, sex, id_number, village, policy, tier, method, account, amount,
        is_live, payment_status, sequence, reversal_id, reversal_reason, bank_reason,
    ) in enumerate(rows, start=1):
        note = f"第{sequence}批"
        if reversal_id is not None:
            note += f"；原 {amount} 元已冲销：{reversal_reason}"
        elif payment_status == PaymentStatus.FAILED:
            note += f"；原 {amount} 元发放失败：{bank_reason or ''}"
        yield (
            n,
            school,
            grade,
            class_name,
            name,
            sexes.get(sex, ""),
            id_number if reveal else mask_id_number(id_number),
            village,
            policy,
            f"{tier}档" if tier else "",
            methods.get(method, ""),
            account if reveal else mask_account(account),
            amount if is_live else None,
            "已冲销" if reversal_id is not None else statuses.get(payment_status, ""),
            note,
        )


def ledger_export(
    *, user: Any, selection: LedgerFilter, target: str | IO[bytes], log: bool = True
) -> WorkbookResult:
    """导出发放台账: one term's approved entries (per township, school or policy) as a formal workbook."""
    _check(user)
    entries = ledger_queryset(user, selection)
    result = write_formal_workbook(
        target,
        ledger_rows(entries, reveal=_reveal(user)),
        title=selection.title(),
        issuer=selection.issuer,
        sheet_name="发放台账",
        money_columns=LEDGER_MONEY,
        count_unit="笔",
    )
    if log:
        _log(user, selection.title(), result, selection)
    return result


def _log(user: Any, what: str, result: WorkbookResult, selection: LedgerFilter | None = None) -> None:
    detail: dict[str, Any] = {"totals": {k: str(v) for k, v in result.totals.items()}}
    if selection is not None:
        detail.update(
            term=selection.term.pk,
            township=selection.township.pk if selection.township else None,
            school=selection.school.pk if selection.school else None,
            policy=selection.policy.code if selection.policy else None,
        )
    log_access(user=user, action=AccessAction.EXPORT, what=what, row_count=result.rows, detail=detail)


# ---------------------------------------------------------------------------
# Funds down to village and household (资金到村到户台账)


FUNDS_HEADER = (
    "序号", "乡镇", "村（社区）", "省定贫困村", "户主", "受助学生（人）", "发放笔数", "已确认到账（元）",
    "发放金额（元）",
)


def funds_rows(households: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
    yield FUNDS_HEADER
    for n, h in enumerate(households.iterator(chunk_size=CHUNK), start=1):
        village = h.village
        yield (
            n,
            village.township.name,
            village.name,
            "是" if village.is_poor_village else "否",
            h.head_name,
            h.student_count,
            h.entry_count,
            h.paid_amount,
            h.total_amount,
        )


def funds_export(
    *,
    user: Any,
    school_year: SchoolYear,
    target: str | IO[bytes],
    township: Township | None = None,
    log: bool = True,
) -> WorkbookResult:
    """导出资金到村到户台账: per household (grouped by village) for a school year."""
    _check(user)
    place = township.name if township is not None else "全县"
    title = f"{place}{school_year.name}学年教育资助资金到村到户台账"
    households = funds_by_household(actor=user, school_year=school_year, township=township)
    result = write_formal_workbook(
        target,
        funds_rows(households),
        title=title,
        issuer=f"{township.name}教育办公室" if township is not None else settings.AID_OFFICE_NAME,
        sheet_name="资金到村到户",
        money_columns=("已确认到账（元）", "发放金额（元）"),
        count_unit="户",
    )
    if log:
        log_access(user=user, action=AccessAction.EXPORT, what=title, row_count=result.rows,
                   detail={"school_year": school_year.pk, "township": township.pk if township else None})
    return result


# ---------------------------------------------------------------------------
# The conflict report (重复资助排查)


CONFLICT_HEADER = (
    "序号", "姓名", "公民身份号码", "资助项目", "学期", "问题", "乡镇", "学校", "批次", "发放金额（元）",
    "状态",
)


def conflict_rows(rows: list[Any], *, reveal: bool) -> Iterator[tuple[Any, ...]]:
    yield CONFLICT_HEADER
    n = 0
    for row in rows:
        for e in row.entries:
            n += 1
            status = "已冲销" if getattr(e, "reversal", None) is not None else e.get_payment_status_display()
            if not e.locked:
                status = "未审核"
            yield (
                n,
                row.student_name,
                row.id_number if reveal else mask_id_number(row.id_number),
                row.policy_name,
                row.term_label,
                "、".join(row.kinds),
                e.batch.township.name,
                e.school.name,
                f"第{e.batch.sequence}批",
                e.amount,
                status,
            )


def conflicts_export(
    *,
    user: Any,
    target: str | IO[bytes],
    term: Term | None = None,
    policy: Policy | None = None,
    log: bool = True,
) -> WorkbookResult:
    """导出重复资助排查表."""
    _check(user)
    rows = ledger_conflicts(actor=user, term=term, policy=policy)
    label = f"{term.school_year.name}学年{term.get_season_display()}" if term is not None else ""
    title = f"{label}{policy.name if policy else '学生资助'}重复资助排查表"
    result = write_formal_workbook(
        target,
        conflict_rows(rows, reveal=_reveal(user)),
        title=title,
        issuer=settings.AID_OFFICE_NAME,
        sheet_name="重复资助排查",
        money_columns=("发放金额（元）",),
        count_unit="笔",
    )
    if log:
        log_access(user=user, action=AccessAction.EXPORT, what=title, row_count=result.rows,
                   detail={"term": term.pk if term else None, "policy": policy.code if policy else None})
    return result


# ---------------------------------------------------------------------------
# Export-centre jobs (aidsite.export_jobs.EXPORT_KINDS): the job logs the export itself.


def _get(model: Any, user: Any, pk: Any) -> Any:
    if not pk:
        return None
    return scope_queryset(user, model.objects.all()).get(pk=pk)


def ledger_job(*, user: Any, parameters: dict[str, Any], out: IO[bytes], progress: Any) -> int:
    term = Term.objects.select_related("school_year").get(pk=parameters["term"])
    selection = LedgerFilter(
        term=term,
        township=_get(Township, user, parameters.get("township")),
        school=_get(School, user, parameters.get("school")),
        policy=Policy.objects.filter(pk=parameters.get("policy")).first() if parameters.get("policy") else None,
    )
    return ledger_export(user=user, selection=selection, target=out, log=False).rows


def funds_job(*, user: Any, parameters: dict[str, Any], out: IO[bytes], progress: Any) -> int:
    year = SchoolYear.objects.get(pk=parameters["school_year"])
    township = _get(Township, user, parameters.get("township"))
    return funds_export(user=user, school_year=year, township=township, target=out, log=False).rows


def conflicts_job(*, user: Any, parameters: dict[str, Any], out: IO[bytes], progress: Any) -> int:
    term = Term.objects.select_related("school_year").get(pk=parameters["term"])
    policy = Policy.objects.filter(pk=parameters.get("policy")).first() if parameters.get("policy") else None
    return conflicts_export(user=user, term=term, policy=policy, target=out, log=False).rows
