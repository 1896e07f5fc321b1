"""The bank's return workbook (银行回盘): validate every row, then mark entries paid or failed, or nothing.

The bank sends back the batch it was given with one outcome per line: account
or ID number, amount, 成功/失败 and a reason. Rows are matched to the batch's
entries; every problem is reported with its Excel row number and column, and a
single bad row means nothing is recorded (as in the roster import).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from aidsite.access import log_access
from aidsite.lib.excel import (
    CellError,
    Column,
    SheetError,
    SheetRow,
    cell_text,
    check_xlsx_archive,
    has_control_characters,
    id_cell_text,
    parse_decimal,
    read_sheet,
)
from aidsite.lib.idcard import normalize_id_number
from aidsite.models import AccessAction
from subsidies.models import BankOutcome, BankResult, DisbursementBatch, LedgerEntry
from subsidies.services.ledgers import BankOutcomeRow, bank_results_record, check_ledger_permission

if TYPE_CHECKING:
    from aidsite.access import Actor

COLUMNS = (
    Column("account", ("账号", "收款账号", "银行账号", "卡号", "一卡通账号", "账户", "银行卡号")),
    Column("id_number", ("身份证号", "公民身份号码", "身份证号码", "证件号码", "学生身份证号")),
    Column("name", ("姓名", "户名", "学生姓名", "收款人")),
    Column("amount", ("金额", "发放金额", "金额（元）", "交易金额", "发放金额（元）", "实发金额"), required=True),
    Column("outcome", ("结果", "处理结果", "状态", "发放结果", "交易状态", "成功/失败"), required=True),
    Column("reason", ("原因", "失败原因", "备注", "说明")),
)
KEY_COLUMNS = ("amount", "outcome")
LABELS = {c.key: c.label for c in COLUMNS}

SUCCESS_WORDS = frozenset({"成功", "已成功", "交易成功", "发放成功", "已发放", "SUCCESS", "OK"})
FAILURE_WORDS = frozenset({"失败", "交易失败", "发放失败", "未成功", "退回", "已退回", "FAILED", "FAIL"})


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        return f"{where}，{self.column}：{self.message}" if self.column else f"{where}：{self.message}"


@dataclass
class BankImportResult:
    errors: list[RowError] = field(default_factory=list)
    rows: list[BankOutcomeRow] = field(default_factory=list)
    paid: int = 0
    failed: int = 0
    unchanged: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _outcome(value: object) -> str:
    text = cell_text(value).replace(" ", "").upper()
    if text in SUCCESS_WORDS:
        return BankOutcome.SUCCESS
    if text in FAILURE_WORDS:
        return BankOutcome.FAILED
    raise CellError(f"“{cell_text(value)}”应为 成功 或 失败")


def _sheet_rows(source: str | IO[bytes]) -> list[SheetRow]:
    """Every data row of the bank's workbook; a SheetError for a file that cannot be one."""
    check_xlsx_archive(
        source,
        max_file_bytes=settings.IMPORT_MAX_FILE_BYTES,
        max_uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
        max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
    )
    layout, rows = read_sheet(source, columns=COLUMNS, key_columns=KEY_COLUMNS, max_rows=settings.IMPORT_MAX_ROWS)
    if "account" not in layout.positions and "id_number" not in layout.positions:
        raise SheetError(f"第 {layout.header_row} 行的表头须有“账号”或“身份证号”列，用来对应发放记录")
    return list(rows)


@dataclass
class _BatchEntries:
    """The batch's entries by ID number and by account, the outcomes already recorded, the rows seen."""

    by_id_number: dict[str, LedgerEntry]
    by_account: dict[str, list[LedgerEntry]]
    recorded: dict[int, str]
    seen: dict[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, batch: DisbursementBatch) -> _BatchEntries:
        entries = list(LedgerEntry.objects.filter(batch=batch).select_related("student", "reversal"))
        by_account: dict[str, list[LedgerEntry]] = {}
        for e in entries:
            if e.account_number:
                by_account.setdefault(e.account_number, []).append(e)
        recorded = dict(BankResult.objects.filter(entry__batch=batch).values_list("entry_id", "outcome"))
        return cls({e.student.id_number: e for e in entries}, by_account, recorded)


class _RowCheck:
    """The checks of one sheet row, each failure recorded with the row number and column."""

    def __init__(self, row: SheetRow, errors: list[RowError]) -> None:
        self.row = row
        self.errors = errors
        self.before = len(errors)

    def fail(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.row.number, LABELS.get(key, key), message))

    @property
    def failed(self) -> bool:
        return len(self.errors) > self.before


def _find_entry(check: _RowCheck, known: _BatchEntries) -> tuple[LedgerEntry | None, str]:
    """The row's entry, by ID number or else by account (which must agree), and the ID number."""
    values = check.row.values
    entry: LedgerEntry | None = None
    id_number = ""
    if "id_number" in values and values["id_number"] not in (None, ""):
        try:
            id_number = normalize_id_number(id_cell_text(values["id_number"]))
        except CellError as exc:
            check.fail("id_number", str(exc))
        else:
            entry = known.by_id_number.get(id_number)
            if entry is None:
                check.fail("id_number", "本批次中没有此身份证号的学生")
    account = "".join(cell_text(values.get("account")).split())
    if account and not check.failed:
        candidates = known.by_account.get(account, [])
        if entry is not None:
            if entry.account_number != account:
                check.fail("account", "账号与该学生在台账中的收款账号不一致")
        elif not id_number:
            if not candidates:
                check.fail("account", "本批次中没有此账号")
            elif len(candidates) > 1:
                check.fail("account", "该账号对应本批次多名学生，请在回盘文件中填写身份证号")
            else:
                entry = candidates[0]
    if not account and not id_number and not check.failed:
        check.fail("account", "账号和身份证号至少填写一项")
    return entry, id_number


def _check_row(check: _RowCheck, known: _BatchEntries) -> BankOutcomeRow | None:
    """The row's outcome for its entry, or None with the row's errors recorded."""
    row, values = check.row, check.row.values
    for key, value in values.items():
        if isinstance(value, str) and has_control_characters(value):
            check.fail(key, "含有不可见的控制字符")
    if check.failed:
        return None
    entry, id_number = _find_entry(check, known)
    try:
        amount = parse_decimal(values.get("amount"))
    except CellError as exc:
        check.fail("amount", str(exc))
        amount = Decimal("0")
    try:
        outcome = _outcome(values.get("outcome"))
    except CellError as exc:
        check.fail("outcome", str(exc))
        outcome = ""
    reason = cell_text(values.get("reason"))
    if entry is None or check.failed:
        return None
    if amount != entry.amount:
        check.fail("amount", f"金额 {amount} 元与台账不符（台账为 {entry.amount} 元）")
    if entry.pk in known.seen:
        check.fail("id_number" if id_number else "account", f"与第 {known.seen[entry.pk]} 行是同一名学生（{entry.student.name}）")
    previous = known.recorded.get(entry.pk)
    if previous is not None and previous != outcome:
        check.fail("outcome", f"该学生已登记为“{BankOutcome(previous).label}”，不能改为“{BankOutcome(outcome).label}”")
    if previous is None and hasattr(entry, "reversal"):
        check.fail("outcome", "该记录已冲销，不能再登记发放结果")
    if previous is None and not entry.is_live:
        check.fail("outcome", "该记录已无效，不能再登记发放结果")
    if outcome == BankOutcome.FAILED and not reason:
        reason = "银行未说明原因"
    known.seen.setdefault(entry.pk, row.number)
    if check.failed:
        return None
    return BankOutcomeRow(entry_id=entry.pk, outcome=outcome, amount=amount, reason=reason, row_number=row.number)


def bank_results_validate(*, batch: DisbursementBatch, source: str | IO[bytes]) -> BankImportResult:
    """Read and check every row against the batch; writes nothing."""
    result = BankImportResult()
    if not batch.is_approved:
        result.errors.append(RowError(0, "", "批次尚未审核，不能登记银行回盘。"))
        return result
    try:
        sheet_rows = _sheet_rows(source)
    except SheetError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    known = _BatchEntries.of(batch)
    for row in sheet_rows:
        outcome = _check_row(_RowCheck(row, result.errors), known)
        if outcome is not None:
            result.rows.append(outcome)
    if not sheet_rows and not result.errors:
        result.errors.append(RowError(0, "", "回盘文件中没有数据行"))
    return result


def bank_results_import(
    *,
    batch: DisbursementBatch,
    source: str | IO[bytes],
    actor: Actor,
    file_name: str = "",
    dry_run: bool = False,
) -> BankImportResult:
    """导入银行回盘: all rows valid → record them in one transaction; any bad row → nothing changes."""
    check_ledger_permission(actor, batch.township, "subsidies.import_bankresult")
    result = bank_results_validate(batch=batch, source=source)
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        counts = bank_results_record(batch=batch, rows=result.rows, actor=actor, file_name=file_name)
        log_access(
            user=actor,
            action=AccessAction.IMPORT,
            what=f"银行回盘 {batch}"[:200],
            row_count=len(result.rows),
            detail={"batch": batch.pk, "file": file_name[:100]},
        )
    result.paid, result.failed, result.unchanged = counts["paid"], counts["failed"], counts["unchanged"]
    result.written = True
    return result
