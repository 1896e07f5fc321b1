"""Approved applications flow downstream like computed aid, and `compute_aid` leaves them alone.

Issue 14: "Approved applications become entitlements of the term (or of the year for
one-off aid), so they appear in `export_aid`, 公示, the sign-off sheets, ledgers and the
到村到户 funds exactly like computed aid, and are never touched by `compute_aid`."

The world: 青山镇 with a kindergarten charging 1800 yuan a year; a 特困 child of the
poor village 石岭村 there, whose 保教费减免 (PRE-FEE) of 900 yuan (the term's fee) is
approved; and a 低保 household's daughter admitted in 2022 to a college, whose
低保家庭新生生活资助 (HE-LIVING) of 3000 yuan (the amount the county sets for the year)
is approved. Her student loan (HE-LOAN) is approved too and never becomes aid on a list.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from aidsite.access import SystemActor
from aidsite.models import Role
from students.models import HouseholdCategory, HouseholdMember, Stage
from subsidies.exports.aid import AidListWorkbook
from subsidies.exports.funds import funds_export
from subsidies.forms.aid import ListFilterForm
from subsidies.forms.ledgers import BatchPrepareForm, LedgerExportForm
from subsidies.forms.notices import NoticeForm
from subsidies.models import (
    Entitlement,
    EntitlementStatus,
    LedgerEntry,
    PaymentMethod,
    Policy,
)
from subsidies.reports import Selection, notice_contexts, signsheet_contexts
from subsidies.rules.applications import Asked
from subsidies.selectors import funds_by_household, term_summary
from subsidies.services.applications import (
    applicant_student,
    application_check,
    application_decide,
    application_submit,
)
from subsidies.services.entitlements import entitlements_compute
from subsidies.services.ledgers import batch_approve, batch_prepare
from subsidies.services.notices import notice_publish
from tests.factories import make_household, make_id_number, make_school, make_user

pytestmark = pytest.mark.django_db

CHILD = "林小禾"
UNDERGRADUATE = "周晓雨"
ROLL = "青山镇生源地大学生"


@dataclass
class Applied:
    term: Any
    township: Any
    kindergarten: Any
    officer: Any
    checker: Any
    county: Any
    fee: Entitlement
    living: Entitlement
    pre_fee: Policy
    he_living: Policy
    he_loan: Policy


def _approve(application: Any, officer: Any, county: Any) -> Any:
    application_check(application=application, actor=officer)
    return application_decide(application=application, actor=county, approve=True)


@pytest.fixture
def applied(term, township, kids) -> Applied:
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    checker = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    county = make_user(role=Role.COUNTY_ADMIN)
    policies = {p.code: p for p in Policy.objects.filter(school_year=term.school_year)}

    kindergarten = make_school(
        township=township,
        name="青山镇中心幼儿园",
        stages=Stage.KINDERGARTEN,
        tuition=Decimal("1800"),
    )
    child = kids(
        kindergarten, categories=(HouseholdCategory.EXTREME,), poor=True, stage=Stage.KINDERGARTEN,
        name=CHILD, grade="大班", class_name="1班",
    )  # fmt: skip
    fee = _approve(
        application_submit(
            actor=officer, student=child.student, policy=policies["PRE-FEE"], term=term,
            asked=Asked(amount=Decimal("900")), applied_on=dt.date(2022, 9, 5),
        ),
        officer, county,
    ).entitlement  # fmt: skip

    # "金额由县资助中心按年度确定": the county sets this year's amount before approving.
    he_living = policies["HE-LIVING"]
    he_living.annual_amount = Decimal("3000")
    he_living.save()
    household = make_household(village=kids.plain_village, categories=(HouseholdCategory.DIBAO,))
    member = HouseholdMember.objects.create(
        household=household,
        name=UNDERGRADUATE,
        id_number=make_id_number(birth=dt.date(2004, 5, 1), sex="F"),
    )
    college = {
        "college": "湖南师范大学", "degree_level": "bachelor", "entry_year": 2022, "program_years": 4,
    }  # fmt: skip
    student = applicant_student(member)
    living = _approve(
        application_submit(
            actor=officer, student=student, policy=he_living,
            asked=Asked(amount=Decimal("3000"), **college), applied_on=dt.date(2022, 8, 25),
        ),
        officer, county,
    ).entitlement  # fmt: skip
    _approve(
        application_submit(
            actor=officer, student=student, policy=policies["HE-LOAN"],
            asked=Asked(amount=Decimal("6000"), tuition_per_year=Decimal("4500"),
                        accommodation_per_year=Decimal("1000"), **college),
            applied_on=dt.date(2022, 8, 25),
        ),
        officer, county,
    )  # fmt: skip
    return Applied(
        term=term, township=township, kindergarten=kindergarten, officer=officer, checker=checker, county=county,
        fee=fee, living=living, pre_fee=policies["PRE-FEE"], he_living=he_living, he_loan=policies["HE-LOAN"],
    )  # fmt: skip


def _sheet_rows(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _rows_named(
    rows: list[list[Any]], header: tuple[str, ...], names: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    at = next(i for i, row in enumerate(rows) if row[: len(header)] == list(header))
    found = {}
    for row in rows[at + 1 :]:
        record = dict(zip(header, row, strict=False))
        if record.get("姓名") in names:
            found[record["姓名"]] = record
    return found


EXPORT_COLUMNS = ("序号", "姓名", "身份证号", "乡镇", "学校", "学段", "年级", "班级", "项目代码", "资助项目", "档次",
                  "金额（元）", "状态")  # fmt: skip


def test_the_approvals_are_approved_entitlements_of_the_autumn_term(applied):
    assert (applied.fee.amount, applied.fee.status, applied.fee.term) == (
        Decimal("900.00"), EntitlementStatus.APPROVED, applied.term,
    )  # fmt: skip
    # One-off college aid is in the year's autumn term, on the township's roll of college students.
    living = Entitlement.objects.select_related("enrollment__school").get(pk=applied.living.pk)
    assert (living.amount, living.status, living.term) == (
        Decimal("3000.00"),
        EntitlementStatus.APPROVED,
        applied.term,
    )
    assert (living.enrollment.school.name, living.enrollment.stage) == (ROLL, Stage.HIGHER)
    # The loan is a loan, never an entitlement.
    assert not Entitlement.objects.filter(policy=applied.he_loan).exists()


def test_export_aid_lists_both_with_their_school_and_stage(applied, tmp_path):
    output = tmp_path / "名单.xlsx"
    call_command(
        "export_aid",
        "--year",
        "2022-2023",
        "--term",
        "autumn",
        "--output",
        str(output),
        stdout=io.StringIO(),
    )
    rows = _rows_named(_sheet_rows(output.read_bytes()), EXPORT_COLUMNS, (CHILD, UNDERGRADUATE))
    child, undergraduate = rows[CHILD], rows[UNDERGRADUATE]
    assert (child["学校"], child["学段"], child["资助项目"], child["金额（元）"], child["状态"]) == (
        "青山镇中心幼儿园", "学前", "保教费减免", 900, "已审核",
    )  # fmt: skip
    assert (undergraduate["学校"], undergraduate["学段"], undergraduate["资助项目"], undergraduate["金额（元）"]) == (
        ROLL, "高等教育", "低保家庭新生生活资助", 3000,
    )  # fmt: skip


def test_the_export_centre_workbook_holds_them_for_the_township(applied):
    out = io.BytesIO()
    rows = AidListWorkbook().run(
        actor=applied.officer, parameters={"term": applied.term.pk, "policy": "HE-LIVING", "township": None},
        out=out, progress=lambda _: None,
    )  # fmt: skip
    assert rows == 1
    found = _rows_named(_sheet_rows(out.getvalue()), EXPORT_COLUMNS, (UNDERGRADUATE,))
    assert found[UNDERGRADUATE]["金额（元）"] == 3000


def test_the_notice_form_offers_application_policies_with_a_list(applied):
    form = NoticeForm(user=applied.officer)
    offered = set(form.fields["policy"].queryset.values_list("code", flat=True))
    assert {"PRE-FEE", "HE-LIVING", "PRE-GRANT"} <= offered
    assert "HE-LOAN" not in offered and "HS-FEE" not in offered
    pairs = set(form.choice_pairs())
    assert (applied.term.pk, applied.kindergarten.pk, applied.pre_fee.pk) in pairs
    roll = applied.living.enrollment.school
    assert (applied.term.pk, roll.pk, applied.he_living.pk) in pairs


def _published_page(client: Any, applied: Applied, school: Any, policy: Policy) -> str:
    notice = notice_publish(
        school=school,
        policy=policy,
        term=applied.term,
        start_date=timezone.localdate(),
        actor=applied.officer,
    )
    return client.get(f"/gongshi/{notice.token}/").content.decode()


def test_published_notices_show_them(applied, client):
    page = _published_page(client, applied, applied.living.enrollment.school, applied.he_living)
    assert (
        UNDERGRADUATE in page
        and ROLL in page
        and "低保家庭新生生活资助" in page
        and "3,000.00" in page
    )
    # Checked by the township and decided by the county, not by a school.
    assert "经乡镇初审、县级审核" in page and "经学校初审" not in page
    page = _published_page(client, applied, applied.kindergarten, applied.pre_fee)
    assert CHILD in page and "保教费减免" in page and "900.00" in page and UNDERGRADUATE not in page
    printed = notice_contexts(
        selection=Selection(term=applied.term, township=applied.township), actor=applied.officer
    )
    titles = {c["title"]: [r["name"] for r in c["rows"]] for c in printed}
    assert titles[f"{ROLL}{applied.term}低保家庭新生生活资助公示名单"] == [UNDERGRADUATE]
    assert titles[f"青山镇中心幼儿园{applied.term}保教费减免公示名单"] == [CHILD]


def _batch(applied: Applied, policy: Policy) -> Any:
    batch = batch_prepare(
        township=applied.township, policy=policy, term=applied.term, actor=applied.officer,
        default_method=PaymentMethod.CASH,
    ).batch  # fmt: skip
    return batch_approve(batch=batch, actor=applied.checker).batch


def test_ledger_batches_sign_off_sheets_and_funds_take_them(applied):
    form = BatchPrepareForm(user=applied.officer)
    offered = set(form.fields["policy"].queryset.values_list("code", flat=True))
    assert {"PRE-FEE", "HE-LIVING"} <= offered and "HE-LOAN" not in offered
    assert {"PRE-FEE", "HE-LIVING"} <= set(
        LedgerExportForm(user=applied.officer)
        .fields["policy"]
        .queryset.values_list("code", flat=True)
    )
    fee_batch, living_batch = _batch(applied, applied.pre_fee), _batch(applied, applied.he_living)
    assert (fee_batch.entry_count, fee_batch.total_amount) == (1, Decimal("900.00"))
    assert (living_batch.entry_count, living_batch.total_amount) == (1, Decimal("3000.00"))
    assert LedgerEntry.objects.get(batch=living_batch).school.name == ROLL

    sheets = signsheet_contexts(
        selection=Selection(term=applied.term, township=applied.township), actor=applied.officer
    )
    by_title = {s["title"]: s for s in sheets}
    living_sheet = by_title[f"青山镇{applied.term}低保家庭新生生活资助发放签领表"]
    assert living_sheet["school_name"] == ROLL
    assert [(r["name"], r["amount"], r["account"]) for r in living_sheet["rows"]] == [
        (UNDERGRADUATE, Decimal("3000.00"), "现金")
    ]
    assert [r["name"] for r in by_title[f"青山镇{applied.term}保教费减免发放签领表"]["rows"]] == [
        CHILD
    ]

    households = {
        h.head_name: (h.student_count, h.entry_count, h.total_amount)
        for h in funds_by_household(actor=applied.officer, school_year=applied.term.school_year)
    }
    assert households[applied.fee.student.household.head_name] == (1, 1, Decimal("900.00"))
    assert households[applied.living.student.household.head_name] == (1, 1, Decimal("3000.00"))
    out = io.BytesIO()
    funds_export(actor=applied.officer, school_year=applied.term.school_year, target=out, log=False)
    amounts = sorted(row[8] for row in _sheet_rows(out.getvalue()) if row and row[4] in households)
    assert amounts == [900, 3000]


def _snapshot(*entitlements: Entitlement) -> list[tuple[Any, ...]]:
    return list(
        Entitlement.objects.filter(pk__in=[e.pk for e in entitlements])
        .order_by("pk")
        .values_list(
            "pk",
            "amount",
            "status",
            "tier",
            "reasons",
            "computed_at",
            "approval_id",
            "enrollment_id",
        )
    )


def test_compute_aid_never_touches_them_and_the_summary_leaves_them_out(applied):
    before = _snapshot(applied.fee, applied.living)
    history = applied.fee.history.count() + applied.living.history.count()
    call_command("compute_aid", "--year", "2022-2023", "--term", "autumn", stdout=io.StringIO())
    result = entitlements_compute(
        term=applied.term, township=applied.township, actor=SystemActor("tests")
    )
    assert not {"PRE-FEE", "HE-LIVING", "HE-LOAN"} & set(result.policy_codes)
    with pytest.raises(CommandError, match="没有代码为 HE-LIVING 的测算类资助项目"):
        call_command(
            "compute_aid", "--year", "2022-2023", "--term", "autumn", "--policy", "HE-LIVING"
        )
    assert _snapshot(applied.fee, applied.living) == before
    assert applied.fee.history.count() + applied.living.history.count() == history
    # The aid summary (/aid/) counts computed policies only.
    summary_codes = {
        row.policy_code for row in term_summary(term=applied.term, township=applied.township)
    }
    assert not {"PRE-FEE", "HE-LIVING"} & summary_codes


def test_the_aid_summary_page_is_unaffected(applied, client):
    """/aid/ sums computed lists: with only approved applications the term is still 尚未测算,
    and an application's own approval is not a 名单审核."""
    client.force_login(applied.officer)
    response = client.get(reverse("aid:index"), {"term": applied.term.pk})
    assert response.context["not_computed"] is True
    assert response.context["approvals"] == []
    assert "本学期尚未测算资助名单" in response.content.decode()

    entitlements_compute(term=applied.term, township=applied.township, actor=applied.officer)
    response = client.get(reverse("aid:index"), {"term": applied.term.pk})
    statuses = {s["code"]: s for s in response.context["statuses"]}
    assert statuses[EntitlementStatus.APPROVED]["n"] == 0  # the two approvals are not computed aid
    assert not {g["code"] for g in response.context["groups"]} & {"PRE-FEE", "HE-LIVING"}


def test_the_aid_list_can_be_filtered_to_an_application_policy(applied, client):
    form = ListFilterForm({"term": applied.term.pk}, user=applied.officer)
    codes = [code for code, _label in form.fields["policy"].choices]
    assert "PRE-FEE" in codes and "HE-LIVING" in codes and "HE-LOAN" not in codes
    client.force_login(applied.officer)
    page = client.get(
        reverse("aid:list"), {"term": applied.term.pk, "policy": "HE-LIVING"}
    ).content.decode()
    assert UNDERGRADUATE in page and CHILD not in page and ROLL in page
