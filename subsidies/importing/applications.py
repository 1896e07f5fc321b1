"""`import_xlsx applications`: a township's collected application list, all rows or none.

Every row is read (`sheet`), then checked as the application page checks one
application — `application_assess` with the policy's rules: what must be
stated (`entry_problems`), the amount against its cap (`amount_problems`) and
who may apply (`eligibility_problems`) — plus what only a list can get wrong:
the applicant must be in the registry (`applicant_find`) under the same name,
and no application may repeat one in the file or one already open or approved.
A list carries no 破格受理 reason, so an applicant outside the policy's rules is
an error here; such a case is entered on the page with its reason.

The school year and term come from 申请日期 (the command has no year option):
from July on, the school year that starts that year (applications collected in
the summer are for the autumn term; college admissions arrive in July), before
July the one that started the year before; within it, the term holding the
date, else the next to begin. College aid is paid once a year, in its first term.

With no error at all, every row is entered with `application_submit` by the
command's system actor, in one transaction (status 已提交, for the township's
初审); with any error, or with --dry-run, nothing is written.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from aidsite.access import log_access
from aidsite.models import AccessAction
from students.importing.results import ImportReport
from students.importing.sheets import SheetImport, sheet_check_then_write, sheet_read
from students.importing.words import SPACES, clean_name
from students.models import HouseholdMember, SchoolYear, Student, Term
from subsidies.importing.sheet import (
    APPLICATION_COLUMNS,
    APPLICATION_KEY_COLUMNS,
    ApplicationSheet,
    ParsedRow,
)
from subsidies.models import AidApplication, ApplicationStatus, Policy
from subsidies.rules.applications import Asked
from subsidies.selectors.applications import applicant_find
from subsidies.services.applications import (
    applicant_student,
    application_assess,
    application_submit,
)

if TYPE_CHECKING:
    from aidsite.access import Actor

KIND = "applications"
LABEL = "资助申请"
# A township's list is checked row by row with the page's own rules (a few queries a row).
MAX_ROWS = 5000
# Where the rules' problems are shown: the application's field → the sheet's column.
FIELD_COLUMNS = {
    "amount_requested": "amount",
    "college": "college",
    "degree_level": "degree_level",
    "entry_year": "entry_year",
    "program_years": "program_years",
    "tuition_per_year": "tuition",
    "accommodation_per_year": "accommodation",
    "partner": "partner",
    "student": "policy",
    "policy": "policy",
    "term": "applied_on",
}
NO_EXCEPTION = "导入的名单不能破格受理；确需破格的，请在资助申请页面逐人录入并写明理由"
SCHOOL_YEAR_STARTS_IN = 7  # July


@dataclass(slots=True)
class CheckedRow:
    """A row that passed every check, ready for `application_submit`."""

    number: int
    holder: Student | HouseholdMember
    policy: Policy
    term: Term
    asked: Asked
    applied_on: dt.date


@dataclass
class ApplicationImportReport(ImportReport):
    """What the import did, with the new applications counted by policy name."""

    by_policy: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        counts = f"新增申请 {self.created} 份"
        if self.by_policy:
            counts += (
                "（" + "、".join(f"{name} {n} 份" for name, n in self.by_policy.items()) + "）"
            )
        if self.errors:
            outcome = "未写入任何数据，请改正后重新导入"
        elif self.dry_run:
            outcome = "试导入，未写入数据"
        else:
            outcome = "已导入，待乡镇初审"
        return f"{LABEL}共 {self.total_rows} 行：{counts}，有误 {self.rejected} 行（{outcome}）"


def _policy_key(text: str) -> str:
    return SPACES.sub("", unicodedata.normalize("NFKC", text)).upper()


class ApplicationImport(ApplicationSheet):
    """The rows read by `ApplicationSheet`, checked against the registry and the policies' rules."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.checked: list[CheckedRow] = []
        self.years = {y.start_year: y for y in SchoolYear.objects.all()}
        self.terms: dict[int, list[Term]] = {}
        for term in Term.objects.select_related("school_year").order_by("start_date"):
            self.terms.setdefault(term.school_year_id, []).append(term)
        self.policies = self._policy_names()

    def _policy_names(self) -> dict[tuple[int, str], list[Policy]]:
        """Each year's policies by name, by code, and by the name before its bracket (爱心济困专项基金)."""
        names: dict[tuple[int, str], list[Policy]] = {}
        for policy in Policy.objects.select_related("school_year").prefetch_related("categories"):
            keys = {_policy_key(policy.name), _policy_key(policy.code)}
            keys.add(_policy_key(policy.name).split("(")[0])
            for key in keys:
                names.setdefault((policy.school_year_id, key), []).append(policy)
        return names

    def read(self, rows: Any) -> None:
        super().read(rows)
        first_row: dict[tuple[str, int, int], int] = {}
        for parsed in self.rows:
            self._check(parsed, first_row)

    def plan(self) -> None:
        self.created = len(self.checked)

    # -- one row

    def _check(self, parsed: ParsedRow, first_row: dict[tuple[str, int, int], int]) -> None:
        term = self._term(parsed)
        policy = self._policy(parsed, term) if term is not None else None
        holder = self._holder(parsed, policy)
        if term is None or policy is None or holder is None:
            return
        if not policy.is_one_off and parsed.college_keys:
            for key in parsed.college_keys:
                self.error(parsed.number, key, f"“{policy.name}”不是大学生资助项目，此列应空白")
            return
        asked = _asked(parsed)
        student = holder if isinstance(holder, Student) else _unsaved_student(holder)
        try:
            assessment = application_assess(student=student, policy=policy, asked=asked, term=term)
        except ValidationError as exc:
            self._refused(parsed.number, exc)
            return
        before = len(self.errors)
        for problem in assessment.errors:
            self.error(parsed.number, FIELD_COLUMNS.get(problem.field, ""), problem.message)
        for problem in assessment.eligibility:
            self.error(
                parsed.number,
                "policy",
                f"{problem.message}，不符合“{policy.name}”的申请条件（{NO_EXCEPTION}）",
            )
        if len(self.errors) > before or not self._once(parsed, policy, assessment.term, first_row):
            return
        self.checked.append(
            CheckedRow(parsed.number, holder, policy, term, asked, parsed.applied_on)
        )

    def _term(self, parsed: ParsedRow) -> Term | None:
        """The term 申请日期 falls in (see the module's docstring for the rule)."""
        day = parsed.applied_on
        start = day.year if day.month >= SCHOOL_YEAR_STARTS_IN else day.year - 1
        year = self.years.get(start)
        terms = self.terms.get(year.pk, []) if year is not None else []
        if not terms:
            self.error(
                parsed.number, "applied_on",
                f"申请日期 {day:%Y-%m-%d} 属于 {start}-{start + 1} 学年，该学年尚未设置或没有学期",
            )  # fmt: skip
            return None
        for term in terms:
            if term.end_date >= day:
                return term
        return terms[-1]

    def _policy(self, parsed: ParsedRow, term: Term) -> Policy | None:
        year = term.school_year
        found = self.policies.get((year.pk, _policy_key(parsed.policy)), [])
        if not found:
            self.error(
                parsed.number, "policy", f"{year.name}学年没有名为“{parsed.policy}”的资助项目"
            )
            return None
        if len({p.pk for p in found}) > 1:
            self.error(
                parsed.number, "policy", f"“{parsed.policy}”对应多个资助项目，请写完整的项目名称"
            )
            return None
        policy = found[0]
        if not policy.by_application:
            self.error(parsed.number, "policy", f"“{policy.name}”按名单测算，不受理个人申请")
            return None
        return policy

    def _holder(self, parsed: ParsedRow, policy: Policy | None) -> Student | HouseholdMember | None:
        """The registry's holder of the ID number, under the row's name."""
        holder = applicant_find(parsed.id_number)
        if holder is None:
            self.error(
                parsed.number, "id_number", "学生名册和家庭成员中都没有这个身份证号，请先登记"
            )
            return None
        if clean_name(holder.name) != parsed.name:
            self.error(parsed.number, "name", "与登记信息中该身份证号的姓名不一致")
            return None
        if policy is not None and not policy.is_one_off and not isinstance(holder, Student):
            self.error(
                parsed.number, "id_number",
                f"该身份证号只登记为家庭成员，不在学生名册中；“{policy.name}”只受理本县在读学生",
            )  # fmt: skip
            return None
        return holder

    def _once(
        self,
        parsed: ParsedRow,
        policy: Policy,
        term: Term,
        first_row: dict[tuple[str, int, int], int],
    ) -> bool:
        """No second application for the same person, policy and term, in the file or on record."""
        first = first_row.setdefault((parsed.id_number, policy.pk, term.pk), parsed.number)
        if first != parsed.number:
            self.error(
                parsed.number, "id_number", f"与第 {first} 行重复（同一申请人、资助项目和学期）"
            )
            return False
        existing = (
            AidApplication.objects.filter(
                student__id_number=parsed.id_number, policy=policy, term=term
            )
            .exclude(status=ApplicationStatus.REJECTED)
            .first()
        )
        if existing is not None:
            self.error(
                parsed.number, "id_number",
                f"该申请人已申请“{policy.name}”（{term}，{existing.get_status_display()}），不能重复申请",
            )  # fmt: skip
            return False
        return True

    def _refused(self, number: int, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for key, errors in exc.message_dict.items():
                for message in errors:
                    self.error(number, FIELD_COLUMNS.get(key, ""), message.rstrip("。"))
        else:
            for message in exc.messages:
                self.error(number, "", message.rstrip("。"))

    # -- writing

    def write(self, *, actor: Actor) -> None:
        """Enter every checked row; a refusal (a row changed since the check) aborts them all."""
        for row in self.checked:
            try:
                application_submit(
                    actor=actor,
                    student=applicant_student(row.holder),
                    policy=row.policy,
                    asked=row.asked,
                    applied_on=row.applied_on,
                    term=row.term,
                )
            except ValidationError as exc:
                self._refused(row.number, exc)
                self.checked, self.created = [], 0
                raise _Refused(self.report(dry_run=False)) from exc

    def report(self, *, dry_run: bool) -> ApplicationImportReport:
        base = super().report(dry_run=dry_run)
        counts = Counter(row.policy.name for row in self.checked) if not base.errors else Counter()
        return ApplicationImportReport(
            **{f.name: getattr(base, f.name) for f in fields(base)}, by_policy=dict(counts)
        )


class _Refused(Exception):
    """A row refused while writing: the transaction is rolled back; `report` says why."""

    def __init__(self, report: ApplicationImportReport) -> None:
        super().__init__(report.summary())
        self.report = report


def _asked(parsed: ParsedRow) -> Asked:
    # A fee waiver's row has its college columns blank (else it is refused before this).
    return Asked(
        amount=parsed.amount,
        college=parsed.college,
        degree_level=parsed.degree_level,
        entry_year=parsed.entry_year,
        program_years=parsed.program_years,
        tuition_per_year=parsed.tuition,
        accommodation_per_year=parsed.accommodation,
        partner=parsed.partner,
    )


def _unsaved_student(member: HouseholdMember) -> Student:
    """A household member seen as the student they will become (`applicant_student`), unsaved."""
    return Student(
        name=member.name,
        id_number=member.id_number,
        sex=member.sex,
        birth_date=member.birth_date,
        household=member.household,
    )


def applications_import(
    *, source: str | Path | IO[bytes], actor: Actor, dry_run: bool = False
) -> ApplicationImportReport:
    """Check every row of an application list, then enter all of them in one transaction or none."""
    layout, rows = sheet_read(
        KIND,
        source,
        columns=APPLICATION_COLUMNS,
        key_columns=APPLICATION_KEY_COLUMNS,
        max_rows=MAX_ROWS,
    )

    def write(importer: SheetImport, report: ImportReport) -> None:
        assert isinstance(importer, ApplicationImport)
        importer.write(actor=actor)
        log_access(
            user=actor,
            action=AccessAction.IMPORT,
            what=f"导入{LABEL}",
            row_count=report.total_rows,
            detail={"kind": KIND, "created": report.created, "by_policy": report.by_policy},
        )

    try:
        report = sheet_check_then_write(
            lambda: ApplicationImport(layout=layout, township=None),
            rows,
            dry_run=dry_run,
            write=write,
        )
    except _Refused as refused:
        report = refused.report
    assert isinstance(report, ApplicationImportReport)
    return report


__all__ = ["ApplicationImportReport", "applications_import"]
