"""A world with an object of every model in scope A and out of scope B, for the role ×
endpoint matrix: two townships, each with a kindergarten, registered children with
approved aid, an approved ledger batch with a reversal, a public notice, a campaign with
an activity, a policy card, a home visit with a photo, a mentoring pair, an application
for 保教费减免 with its evidence, and an export job.

Township A is the users' home (the township officer works there, the director runs its
kindergarten); everything on side B is outside their scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aidsite.models import ExportJob, ExportJobStatus, Role
from campaigns.activities import activity_record, summary_save
from campaigns.cards import card_step_record
from campaigns.coverage import term_for_date
from campaigns.mentoring import mentoring_contact_record, mentoring_start
from campaigns.models import (
    Campaign,
    CampaignPhase,
    Channel,
    ContactMode,
    MentoringFocus,
    PhaseKind,
)
from campaigns.report_jobs import CAMPAIGN_REPORT_KIND
from campaigns.visits import visit_record
from students.models import HouseholdCategory, HouseholdMember, Stage
from subsidies.models import (
    BankOutcome,
    BankResult,
    Donor,
    DonorKind,
    EvidenceKind,
    FundAllotment,
    LedgerEntry,
    PairingShape,
    Pledge,
    Policy,
    QuotaAllocation,
)
from subsidies.rules.applications import Asked
from subsidies.services.applications import application_submit
from subsidies.services.donors import pairing_create
from subsidies.services.ledgers import batch_approve, batch_prepare, entry_reverse
from subsidies.services.notices import notice_publish
from tests.campaigns.conftest import SYSTEM, png_bytes
from tests.factories import (
    make_enrollment,
    make_household,
    make_id_number,
    make_school,
    make_student,
    make_user,
)
from tests.subsidies.ledger_factories import approved_entitlements, policy_of
from tests.subsidies.loan_factories import approved_loan
from tests.world import enroll_child, make_place, year_with_policies

ROLES = ("county", "township", "director", "auditor", "anonymous")


@dataclass
class Side:
    """Everything of one township."""

    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


@dataclass
class MatrixWorld:
    year: Any
    term: Any
    a: Side
    b: Side
    users: dict[str, Any]
    jobs: dict[str, Any]

    def user(self, role: str) -> Any:
        return self.users.get(role)


def _side(*, name: str, year: Any, term: Any) -> tuple[Side, dict[str, Any]]:
    place = make_place(
        f"{name}镇", villages={f"{name}村": True}, schools={f"{name}镇中心幼儿园": Stage.KINDERGARTEN}
    )
    township, village, school = place.township, place.village, place.school
    rows = approved_entitlements(
        term=term, township=township, count=2, school=school, village=village,
        names=[f"{name}童一", f"{name}童二"],
    )  # fmt: skip
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=township, username=f"staff_{name}")
    second = make_user(role=Role.TOWNSHIP_STAFF, township=township, username=f"staff2_{name}")
    director = make_user(role=Role.DIRECTOR, school=school, username=f"director_{name}")
    policy = policy_of(term)
    batch = batch_prepare(township=township, policy=policy, term=term, actor=staff).batch
    batch_approve(batch=batch, actor=second)
    entries = list(LedgerEntry.objects.filter(batch=batch).order_by("pk"))
    reversal = entry_reverse(entry=entries[0], actor=staff, reason="账号错误", reissue=False)
    BankResult.objects.create(
        entry=entries[-1], outcome=BankOutcome.values[0], amount=entries[-1].amount, imported_by=staff
    )
    notice = notice_publish(
        school=school, policy=policy, term=term, start_date=timezone.localdate(), actor=staff
    )
    quota = QuotaAllocation.objects.create(
        policy=policy, term=term, school=school, places=1, reason="县统筹调剂", updated_by=staff
    )
    donor = Donor.objects.create(township=township, name=f"{name}镇爱心企业", kind=DonorKind.COMPANY, phone="13912345678")
    pledge = Pledge.objects.create(
        donor=donor, amount=Decimal("600"), from_year=year, to_year=year, purpose="结对资助",
        pledged_on=timezone.localdate(),
    )
    pairing = pairing_create(
        actor=staff, township=township, shape=PairingShape.ONE_TO_ONE, from_year=rows[1].enrollment.school_year,
        to_year=rows[1].enrollment.school_year, amount=Decimal("300"), donors=[(donor, None)],
        students=[rows[1].student],
    )
    student = rows[0].student
    household = student.household
    campaign = Campaign.objects.create(
        name=f"{name}镇学前教育宣传月", school_year=year, township=township, plan_text="宣传政策"
    )
    campaign.schools.set([school])
    today = timezone.localdate()
    CampaignPhase.objects.create(
        campaign=campaign, kind=PhaseKind.IMPLEMENT, start_date=today - dt.timedelta(days=3),
        end_date=today + dt.timedelta(days=10), tasks="宣传",
    )  # fmt: skip
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    activity = activity_record(
        actor=SYSTEM,
        campaign=campaign, school=school, date=today, phase=PhaseKind.IMPLEMENT,
        channel=Channel.values[0], audience="家长", reach=10, notes="宣传资助政策", photos=[photo],
    )  # fmt: skip
    summary = summary_save(actor=SYSTEM, campaign=campaign, school=school, text=f"{name}园小结")
    visit = visit_record(
        actor=SYSTEM,
        school=school, household=household, children=[student], visited_at=timezone.now(),
        led_by="王老师", participants=f"{name}园长", family_feedback="谢谢老师",
        photos=[SimpleUploadedFile("v.png", png_bytes(), content_type="image/png")],
    )  # fmt: skip
    card = card_step_record(
        school=school, school_year=year, household=household, step="printed", on=today, by="李老师",
        actor=SYSTEM,
    )
    mentoring = mentoring_start(
        student=student, school=school, teachers="张老师", focus=MentoringFocus.values[0],
        started_on=today - dt.timedelta(days=5),
    )  # fmt: skip
    contact = mentoring_contact_record(
        mentoring=mentoring, date=today, teacher="张老师", mode=ContactMode.TALK, content="谈心"
    )
    application = _application(school=school, village=village, year=year, term=term, staff=staff, name=name)
    # A ten-year-old of the registered household with no enrollment: a suspected drop-out.
    member = HouseholdMember.objects.create(
        household=household, name=f"{name}失学童", id_number=make_id_number(birth=dt.date(year.start_year - 10, 3, 1))
    )
    side = Side(
        objects={
            "township": township, "village": village, "school": school, "household": household,
            "student": student, "enrollment": rows[0].enrollment, "entitlement": rows[0],
            "approval": rows[0].approval, "account": student.payment_account,
            "batch": batch, "entry": entries[-1], "reversed_entry": entries[0],
            "reversal": reversal, "notice": notice, "quota": quota, "campaign": campaign,
            "activity": activity, "activity_photo": activity.photos.first(), "summary": summary,
            "visit": visit, "visit_photo": visit.photos.first(), "card": card,
            "mentoring": mentoring, "contact": contact, "staff": staff, "director": director,
            "member": member, "application": application, "evidence": application.evidence.first(),
            "donor": donor, "pledge": pledge, "pairing": pairing,
        }
    )  # fmt: skip
    side.objects["two_after"] = _two_after_student(name=name, township=township, village=village, year=year)
    return side, {"township": staff, "director": director}


def _two_after_student(*, name: str, township: Any, village: Any, year: Any) -> Any:
    """A 特困 pupil in the final grade of a junior school this year: a 两后生 (the next year is not open)."""
    school = make_school(township=township, name=f"{name}镇中学", stages=Stage.JUNIOR)
    household = make_household(village=village, categories=(HouseholdCategory.EXTREME,))
    student = make_student(household=household, name=f"{name}两后生", birth=dt.date(year.start_year - 15, 3, 1))
    make_enrollment(student=student, school=school, school_year=year, stage=Stage.JUNIOR, grade="九年级", study_year=3)
    return student


def _application(*, school: Any, village: Any, year: Any, term: Any, staff: Any, name: str) -> Any:
    """A 保教费减免 application of a 特困 child of the poor village, with a photo of its evidence."""
    school.tuition = Decimal("1800")
    school.save(update_fields=["tuition"])
    child = enroll_child(
        school=school, year=year, village=village, categories=(HouseholdCategory.EXTREME,), name=f"{name}申请童"
    )
    return application_submit(
        actor=staff, student=child.student, policy=Policy.objects.get(school_year=year, code="PRE-FEE"),
        asked=Asked(amount=Decimal("500")), applied_on=timezone.localdate(), term=term,
        evidence=[(EvidenceKind.HARDSHIP, SimpleUploadedFile("e.png", png_bytes(), content_type="image/png"))],
    )  # fmt: skip


def build_matrix_world() -> MatrixWorld:
    year = year_with_policies()
    term = term_for_date(timezone.localdate())
    a, a_users = _side(name="甲", year=year, term=term)
    b, b_users = _side(name="乙", year=year, term=term)
    # Entered once both sides' batches are approved: an allotment of one township only would
    # put the other's batch over its (empty) funds.
    for side in (a, b):
        side.objects["allotment"] = FundAllotment.objects.create(
            term=term, policy=side.batch.policy, township=side.township, amount=5000,
            document_number="县财教〔2022〕12号", issued_on=timezone.localdate(), entered_by=side.staff,
        )  # fmt: skip
    users = {
        "county": make_user(role=Role.COUNTY_ADMIN, username="county"),
        "township": a_users["township"],
        "director": a_users["director"],
        "auditor": make_user(role=Role.AUDITOR, username="auditor"),
    }
    # An approved student loan of each side's household (the loan pages).
    for side, officer in ((a, a_users["township"]), (b, b_users["township"])):
        side.objects["loan"] = approved_loan(
            year=year, household=side.household, officer=officer, county=users["county"]
        )
    # Finished jobs with their files, of the kind the portal also shows, so that a download
    # by the owner answers 200 and anyone else's is a 404.
    exports = Path(settings.MEDIA_ROOT) / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    jobs = {}
    for role, user in {**users, "other": b_users["township"]}.items():
        (exports / f"matrix-{role}.pdf").write_bytes(b"%PDF-1.4\n")
        jobs[role] = ExportJob.objects.create(
            owner=user, kind=CAMPAIGN_REPORT_KIND, title=f"{role}的导出",
            status=ExportJobStatus.DONE, progress=100, file_path=f"exports/matrix-{role}.pdf",
            expires_at=timezone.now() + dt.timedelta(days=3),
        )  # fmt: skip
    return MatrixWorld(year=year, term=term, a=a, b=b, users=users, jobs=jobs)
