"""Aid by application: submit (提交), the township's check (初审), the county's decision (审核).

Each step is atomic, checked by `aidsite.access.require`, and logged as an
`ApplicationEvent` with who and when. The county's reviewer is another person
than whoever entered or checked the application (four-eyes, as for ledgers; a
check constraint holds it too). An approved grant becomes an approved
`Entitlement` of its term with its own `EntitlementApproval`, so ledgers, 公示,
sign-off sheets and exports take it like computed aid, and `compute_aid` (which
computes only policies not handled by application) never touches it. An
approved loan opens a `StudentLoan` (受理); its contract follows in
`subsidies.services.loans`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aidsite.access import SystemActor, actor_user, require
from students.models import (
    Enrollment,
    EnrollmentStatus,
    HouseholdMember,
    Ownership,
    School,
    Stage,
    Student,
    Term,
    Township,
)
from subsidies.models import (
    AidApplication,
    ApplicationAction,
    ApplicationEvent,
    ApplicationEvidence,
    ApplicationStatus,
    DegreeLevel,
    Entitlement,
    EntitlementApproval,
    EntitlementStatus,
    LoanStatus,
    Policy,
    StudentLoan,
)
from subsidies.rules.applications import (
    ApplicantFacts,
    ApplicationRules,
    Asked,
    Problem,
    amount_cap,
    amount_problems,
    eligibility_problems,
    entry_problems,
    granted_amount,
)
from subsidies.rules.facts import facts_line, stored_categories
from subsidies.selectors.applications import applicant_enrollment, applicant_facts, application_term

if TYPE_CHECKING:
    from aidsite.access import Actor


def _error(problems: Iterable[Problem]) -> ValidationError:
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field or "__all__", []).append(f"{problem.message}。")
    return ValidationError(errors)


def _event(application: AidApplication, action: str, actor: Actor, note: str = "") -> None:
    user = actor_user(actor)
    ApplicationEvent.objects.create(
        application=application,
        action=action,
        user=user,
        actor_name="" if user is not None else str(actor),
        at=timezone.now(),
        note=note[:300],
    )


def _save(application: AidApplication, actor: Actor, reason: str) -> None:
    application._history_user = actor_user(actor)
    application._change_reason = reason
    application.full_clean()
    application.save()


# ---------------------------------------------------------------------------
# Who applies


def applicant_student(holder: Student | HouseholdMember) -> Student:
    """The registry's student for an applicant; a household member (a college student the
    county's schools no longer hold) is entered as a student of the same household."""
    if isinstance(holder, Student):
        return holder
    existing = Student.objects.filter(id_number=holder.id_number).first()
    if existing is not None:
        return existing
    student = Student(
        name=holder.name,
        id_number=holder.id_number,
        sex=holder.sex,
        birth_date=holder.birth_date,
        household=holder.household,
    )
    student.full_clean()
    student.save()
    return student


@dataclass(frozen=True)
class Assessment:
    """What the rules say of an application before it is saved."""

    rules: ApplicationRules
    facts: ApplicantFacts
    term: Term
    township: Township
    enrollment: Enrollment | None
    eligibility: list[Problem]
    errors: list[Problem]


def application_assess(*, student: Student, policy: Policy, asked: Asked, term: Term | None = None) -> Assessment:
    """The policy's rules against the applicant and the application, without writing anything.

    `errors` are refusals (a missing field, an amount above the cap, no term);
    `eligibility` are unmet applicant rules, which a recorded reason may override.
    """
    if not policy.by_application:
        raise ValidationError({"policy": "该资助项目按名单测算，不受理个人申请。"})
    rules = ApplicationRules.from_policy(policy)
    paid_in = application_term(policy, term)
    if paid_in is None or paid_in.school_year_id != policy.school_year_id:
        raise ValidationError({"term": f"{policy.school_year.name}学年尚未设置学期，不能受理申请。"})
    enrollment = applicant_enrollment(student, policy)
    facts = applicant_facts(student, policy, paid_in, enrollment)
    township = enrollment.school.township if enrollment is not None else student.household.village.township
    errors = entry_problems(rules, asked)
    if not errors:
        errors = amount_problems(rules, facts, asked)
    return Assessment(
        rules=rules,
        facts=facts,
        term=paid_in,
        township=township,
        enrollment=enrollment,
        eligibility=eligibility_problems(rules, facts),
        errors=errors,
    )


# ---------------------------------------------------------------------------
# 提交


@transaction.atomic
def application_submit(
    *,
    actor: Actor,
    student: Student,
    policy: Policy,
    asked: Asked,
    applied_on: date,
    term: Term | None = None,
    exception_reason: str = "",
    evidence: Iterable[tuple[str, Any]] = (),
) -> AidApplication:
    """Enter an application with its evidence (kind, uploaded file).

    An applicant outside the policy's rules is accepted only with `exception_reason`
    (破格受理), and the unmet rules are kept for the reviewer to see.
    """
    assessment = application_assess(student=student, policy=policy, asked=asked, term=term)
    require(actor, "subsidies.add_aidapplication", township=assessment.township, write=True)
    if assessment.errors:
        raise _error(assessment.errors)
    exception_reason = exception_reason.strip()
    if assessment.eligibility and not exception_reason:
        problems = "；".join(p.message for p in assessment.eligibility)
        raise ValidationError({"exception_reason": f"{problems}。如确需受理，请填写破格受理理由。"})
    application = AidApplication(
        student=student,
        policy=policy,
        term=assessment.term,
        township=assessment.township,
        enrollment=assessment.enrollment,
        amount_requested=asked.amount,
        applied_on=applied_on,
        college=asked.college,
        degree_level=asked.degree_level,
        entry_year=asked.entry_year,
        program_years=asked.program_years,
        tuition_per_year=asked.tuition_per_year,
        accommodation_per_year=asked.accommodation_per_year,
        partner=asked.partner,
        exception_reason=exception_reason if assessment.eligibility else "",
        rule_problems=[p.message for p in assessment.eligibility],
        submitted_by=actor_user(actor),
        submitted_at=timezone.now(),
    )
    try:
        application.validate_constraints()
    except ValidationError as exc:
        raise ValidationError({"__all__": exc.messages}) from exc
    _save(application, actor, "提交申请")
    note = f"申请 {asked.amount} 元"
    if application.exception_reason:
        note += f"；破格受理：{application.exception_reason}"
    _event(application, ApplicationAction.SUBMIT, actor, note)
    for kind, file in evidence:
        evidence_add(application=application, kind=kind, file=file, actor=actor)
    return application


@transaction.atomic
def evidence_add(*, application: AidApplication, kind: str, file: Any, actor: Actor) -> ApplicationEvidence:
    """Attach a photo, scan or PDF to an application not yet decided."""
    require(actor, "subsidies.add_aidapplication", township=application.township, write=True)
    if not application.is_open:
        raise ValidationError("申请已审核，不能再补充材料。")
    item = ApplicationEvidence(
        application=application,
        kind=kind,
        file=file,
        original_name=str(getattr(file, "name", ""))[-120:],
        uploaded_by=actor_user(actor),
        uploaded_at=timezone.now(),
    )
    item.full_clean()
    item.save()
    _event(application, ApplicationAction.EVIDENCE, actor, f"{item.get_kind_display()}：{item.original_name}")
    return item


# ---------------------------------------------------------------------------
# 初审 (township) and 审核 (county)


def _locked(application: AidApplication) -> AidApplication:
    return AidApplication.objects.select_for_update(of=("self",)).select_related(
        "policy__school_year", "student__household__village__township", "township", "term", "enrollment__school"
    ).get(pk=application.pk)


@transaction.atomic
def application_check(
    *, application: AidApplication, actor: Actor, passed: bool = True, reason: str = ""
) -> AidApplication:
    """初审: the township passes the application to the county, or refuses it with the reason."""
    application = _locked(application)
    require(actor, "subsidies.check_aidapplication", township=application.township, write=True)
    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(f"该申请{application.get_status_display()}，不能初审。")
    now = timezone.now()
    application.checked_by = actor_user(actor)
    application.checked_at = now
    if passed:
        application.status = ApplicationStatus.CHECKED
        _save(application, actor, "初审通过")
        _event(application, ApplicationAction.CHECK, actor, reason.strip())
        return application
    return _reject(application, actor, reason, now=now)


def _reject(application: AidApplication, actor: Actor, reason: str, *, now: Any) -> AidApplication:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"decision_reason": "不予批准须写明理由。"})
    application.status = ApplicationStatus.REJECTED
    application.decided_by = actor_user(actor)
    application.decided_at = now
    application.decision_reason = reason
    _save(application, actor, "不予批准")
    _event(application, ApplicationAction.REJECT, actor, reason)
    return application


@transaction.atomic
def application_decide(
    *,
    application: AidApplication,
    actor: Actor,
    approve: bool,
    reason: str = "",
    amount: Decimal | None = None,
) -> AidApplication:
    """审核 at the county: approve (the amount defaults to the rules' amount) or refuse with the reason.

    The reviewer must be another person than whoever entered or checked it.
    """
    application = _locked(application)
    require(actor, "subsidies.decide_aidapplication", township=None, write=True)
    user = actor_user(actor)
    if user is None or isinstance(actor, SystemActor):
        raise ValidationError("资助申请须由县级工作人员本人审核。")
    if application.status != ApplicationStatus.CHECKED:
        raise ValidationError(f"该申请{application.get_status_display()}，须先经乡镇初审才能审核。")
    if user.pk in (application.submitted_by_id, application.checked_by_id):
        raise ValidationError("您录入或初审了此申请，不能审核自己经手的申请，请由另一位工作人员审核。")
    now = timezone.now()
    if not approve:
        return _reject(application, actor, reason, now=now)

    assessment = application_assess(
        student=application.student, policy=application.policy, asked=asked_of(application), term=application.term
    )
    if assessment.errors:
        raise _error(assessment.errors)
    granted = granted_amount(assessment.rules, assessment.facts, asked_of(application))
    if granted.amount is None:
        raise ValidationError({"amount": f"{granted.why}，不能批准。"})
    if amount is None:
        amount = granted.amount
    if amount <= 0:
        raise ValidationError({"amount": "批准金额应大于 0。"})
    if amount > granted.amount:
        raise ValidationError({"amount": f"批准金额 {amount} 元超过上限 {granted.amount} 元（{granted.why}）。"})

    application.status = ApplicationStatus.APPROVED
    application.amount_approved = amount
    application.decided_by = user
    application.decided_at = now
    application.decision_reason = reason.strip()
    if assessment.rules.is_loan:
        _save(application, actor, "批准")
        loan = StudentLoan(application=application, status=LoanStatus.ACCEPTED, amount_per_year=amount)
        loan._history_user = user
        loan.full_clean()
        loan.save()
    else:
        application.entitlement = _entitlement(application, assessment, granted.why, user=user, now=now)
        _save(application, actor, "批准")
    _event(application, ApplicationAction.APPROVE, actor, f"批准 {amount} 元" + (f"；{reason.strip()}" if reason.strip() else ""))
    return application


def asked_of(application: AidApplication) -> Asked:
    return Asked(
        amount=application.amount_requested,
        college=application.college,
        degree_level=application.degree_level,
        entry_year=application.entry_year,
        program_years=application.program_years,
        tuition_per_year=application.tuition_per_year,
        accommodation_per_year=application.accommodation_per_year,
        partner=application.partner,
    )


# ---------------------------------------------------------------------------
# The approved grant as an entitlement


COLLEGE_ROLL_SUFFIX = "生源地大学生"


def college_roll(township: Township) -> School:
    """The township's roll of 生源地 college students: where their one-off aid is listed and paid."""
    school, _created = School.objects.get_or_create(
        name=f"{township.name}{COLLEGE_ROLL_SUFFIX}",
        defaults={"township": township, "stages": Stage.HIGHER, "ownership": Ownership.PUBLIC},
    )
    if school.township_id != township.pk or school.stages != Stage.HIGHER:
        raise ValidationError(f"学校名称“{school.name}”已被占用，不能建立生源地大学生名册。")
    return school


def _college_enrollment(application: AidApplication) -> Enrollment:
    school = college_roll(application.township)
    year = application.policy.school_year
    level = DegreeLevel(application.degree_level).label
    enrollment, created = Enrollment.objects.get_or_create(
        student=application.student,
        school=school,
        school_year=year,
        defaults={
            "stage": Stage.HIGHER,
            "grade": f"{level}{application.entry_year}级",
            "class_name": application.college[:20],
            "study_year": year.start_year - application.entry_year + 1,
            "status": EnrollmentStatus.STUDYING,
        },
    )
    if created:
        enrollment.full_clean()
    return enrollment


def _entitlement(application: AidApplication, assessment: Assessment, why: str, *, user: Any, now: Any) -> Entitlement:
    enrollment = application.enrollment
    if enrollment is None:
        enrollment = _college_enrollment(application)
        application.enrollment = enrollment
    if Entitlement.objects.filter(student=application.student, policy=application.policy, term=application.term).exists():
        raise ValidationError("该学生本学期已有此项资助，不能重复批准。")
    amount = application.amount_approved
    approval = EntitlementApproval.objects.create(
        term=application.term,
        township=application.township,
        policy_codes=application.policy.code,
        approved_by=user,
        entitlement_count=1,
        total_amount=amount,
    )
    lines = [
        facts_line(assessment.facts.categories, assessment.facts.poor_village),
        f"按申请办理：{application.applied_on:%Y-%m-%d} 申请 {application.amount_requested} 元",
        f"核定金额：{why}",
        f"批准 {amount} 元",
    ]
    if application.exception_reason:
        lines.insert(1, f"破格受理：{application.exception_reason}")
    entitlement = Entitlement(
        student=application.student,
        enrollment=enrollment,
        policy=application.policy,
        term=application.term,
        amount=amount,
        max_amount=max(amount, amount_cap(assessment.rules, assessment.facts, asked_of(application)).amount or amount),
        status=EntitlementStatus.APPROVED,
        qualifies=not application.rule_problems,
        categories="," + ",".join(stored_categories(assessment.facts.categories, assessment.facts.poor_village)) + ",",
        reasons={"lines": lines, "application": application.pk},
        computed_at=now,
        approval=approval,
    )
    entitlement._history_user = user
    entitlement._change_reason = "批准资助申请"
    entitlement.save()
    return entitlement

