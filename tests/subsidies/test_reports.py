"""The printed reports: the text of each PDF, checked with pypdf."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from pypdf import PdfReader

from aidsite.access import SystemActor
from aidsite.lib.money import amount_in_words
from aidsite.lib.pdf import StaticOnlyURLFetcher
from aidsite.models import AccessAction, AccessLog, ExportJob, ExportJobStatus, Role
from students.models import HouseholdCategory, Stage
from subsidies.models import Entitlement, EntitlementStatus, PaymentAccount, PaymentMethod
from subsidies.reports import (
    Selection,
    notice_contexts,
    report_render,
    signsheet_contexts,
    summary_context,
)
from subsidies.services.entitlement_review import entitlements_approve
from subsidies.services.entitlements import entitlements_compute
from subsidies.services.ledgers import batch_approve, batch_prepare
from tests.factories import make_enrollment, make_household, make_student, make_township, make_user
from tests.subsidies.ledger_factories import policy_of

ID_NUMBER = re.compile(r"\d{17}[\dX]")
MOBILE = re.compile(r"1[3-9]\d{9}|1[3-9]\d\*{4}\d{4}")
CATEGORY_WORDS = ("建档立卡", "低保", "特困", "孤儿", "残疾", "烈士")
HOSTILE_NAME = '<img src="file:///etc/passwd">'
NAMES = ["张小明", "李小红", "王欧阳", HOSTILE_NAME]
ACCOUNTS = ["6217000011112222", "6217000033334444", "6217000055556666", "6217000077778888"]


@dataclass
class AidWorld:
    term: Any
    township: Any
    school: Any
    staff: Any
    checker: Any
    batch: Any
    students: list


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def _render(kind: str, selection: Selection, user: Any = None) -> bytes:
    out = io.BytesIO()
    report_render(kind, selection=selection, out=out, actor=user or SystemActor("tests"))
    return out.getvalue()


@pytest.fixture
def world(term, township, kids) -> AidWorld:
    """Four kindergarten children of poor-village 低保 families: computed, approved, batched, approved."""
    school = kids.school(Stage.KINDERGARTEN, name="青山镇中心幼儿园")
    students = []
    for i, name in enumerate(NAMES):
        enrollment = kids(
            school, categories=(HouseholdCategory.DIBAO,), poor=True, name=name, disabled=(i == 0),
            grade="大班", class_name=f"{i + 1}班",
        )
        student = enrollment.student
        student.guardian_phone = "13912345678"
        student.save()
        PaymentAccount.objects.create(
            student=student, method=PaymentMethod.BANK_CARD, account_number=ACCOUNTS[i], holder_name="家长"
        )
        students.append(student)
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    checker = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    entitlements_compute(term=term, township=township, policy_code="PRE-GRANT", actor=staff)
    entitlements_approve(term=term, township=township, actor=staff, policy_code="PRE-GRANT")
    batch = batch_prepare(township=township, policy=policy_of(term), term=term, actor=staff).batch
    batch_approve(batch=batch, actor=checker)
    return AidWorld(term, township, school, staff, checker, batch, students)


def _awarded_total(world: AidWorld) -> Decimal:
    return sum(
        (e.amount for e in Entitlement.objects.filter(term=world.term, status__in=["proposed", "approved"])),
        Decimal("0"),
    )


def test_the_notice_names_the_children_as_text_and_nothing_private(world):
    # One more child after approval: proposed, not yet approved; the notice shows both kinds.
    late = make_enrollment(
        student=make_student(
            household=make_household(
                village=world.students[0].household.village, categories=(HouseholdCategory.DIBAO,)
            ),
            name="赵后来",
        ),
        school=world.school, school_year=world.term.school_year, grade="中班", class_name="2班",
    )
    entitlements_compute(term=world.term, township=world.township, policy_code="PRE-GRANT", actor=world.staff)
    assert Entitlement.objects.get(student=late.student).status == EntitlementStatus.PROPOSED

    data = _render("notice", Selection(term=world.term, school=world.school, policy_code="PRE-GRANT"))

    text = _text(data)
    for name in ["张小明", "李小红", "王欧阳", "赵后来"]:
        assert name in text
    assert "学前教育政府助学金" in text and "青山镇中心幼儿园" in text and "大班1班" in text
    assert not ID_NUMBER.search(text)
    assert not MOBILE.search(text.replace(" ", ""))
    for word in CATEGORY_WORDS:
        assert word not in text, word
    for account in ACCOUNTS:
        assert account[-4:] not in text
    assert world.students[0].household.address == "" or world.students[0].household.address not in text
    total = _awarded_total(world)
    assert f"{total:,.2f}" in text
    assert amount_in_words(total) in text
    assert re.search(r"第\s*1\s*页\s*共\s*\d+\s*页", text)
    assert "5 个工作日" in text and "0537-6861234" in text


def test_a_hostile_name_is_printed_as_text_and_fetches_nothing(world, monkeypatch):
    asked: list[str] = []
    original = StaticOnlyURLFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticOnlyURLFetcher, "fetch", spy)

    text = _text(_render("signsheet", Selection(term=world.term, township=world.township)))

    assert not [url for url in asked if "passwd" in url or url.startswith("file:")]
    assert "file:///etc/passwd" in text.replace("\n", "")


def test_the_signsheet_has_a_row_per_entry_masked_accounts_totals_and_signatures(world, tmp_path):
    output = tmp_path / "sign.pdf"

    call_command(
        "render_report", "signsheet", "--year", "2022-2023", "--term", "autumn", "--township", "青山镇",
        "--output", str(output), stdout=io.StringIO(),
    )

    data = output.read_bytes()
    text = _text(data)
    for name in NAMES[:3]:
        assert name in text
    for account in ACCOUNTS:
        assert account not in text
        assert account[-4:] in text  # masked, last four kept
    total = world.batch.total_amount
    assert f"{total:,.2f}" in text and amount_in_words(total) in text
    for label in ("制表人", "审核人", "负责人", "盖章", "领取人（监护人）签字"):
        assert label in text
    assert not ID_NUMBER.search(text)
    assert re.search(rf"第\s*1\s*页\s*共\s*{_pages(data)}\s*页", text)
    log = AccessLog.objects.get(action=AccessAction.PRINT)
    assert "发放签领表" in log.what and log.detail["report"] == "signsheet"


def test_a_big_batch_is_split_per_school_and_volume_each_with_its_own_total(world):
    contexts = signsheet_contexts(selection=Selection(term=world.term), actor=SystemActor("tests"), volume_size=3)

    assert [len(c["rows"]) for c in contexts] == [3, 1]
    assert [c["total"] for c in contexts] == [
        sum((r["amount"] for r in c["rows"]), Decimal("0")) for c in contexts
    ]
    assert sum(c["total"] for c in contexts) == world.batch.total_amount


def test_the_summary_has_the_policy_the_school_and_the_total_in_words(world):
    data = _render("summary", Selection(term=world.term, township=world.township), user=world.staff)

    text = _text(data)
    assert "学前教育政府助学金" in text and "青山镇中心幼儿园" in text and "资助面" in text
    assert amount_in_words(world.batch.total_amount) in text
    assert re.search(r"第\s*1\s*页\s*共\s*\d+\s*页", text)


def test_the_cards_are_one_a_page_with_the_childs_aid_and_a_stub(world):
    data = _render("cards", Selection(term=world.term, school=world.school))

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == len(NAMES)  # one household per child here, one card a page
    first = reader.pages[0].extract_text()
    assert "明白卡" in first and "家长（签字）" in first and "班主任（签字）" in first
    assert "0537-6861234" in first
    text = _text(data)
    for name in NAMES[:3]:
        assert name in text
    assert not ID_NUMBER.search(text)


def test_a_township_officer_prints_only_their_townships_reports(world):
    other = make_township("白云镇")
    outsider = make_user(role=Role.TOWNSHIP_STAFF, township=other)

    with pytest.raises(PermissionDenied):
        notice_contexts(selection=Selection(term=world.term, township=world.township), actor=outsider)
    with pytest.raises(PermissionDenied):
        signsheet_contexts(selection=Selection(term=world.term, school=world.school), actor=outsider)
    with pytest.raises(PermissionDenied):
        summary_context(term=world.term, township=world.township, actor=outsider)
    # Without a township they get their own, which holds none of 青山镇's rows.
    assert notice_contexts(selection=Selection(term=world.term), actor=outsider) == []
    assert signsheet_contexts(selection=Selection(term=world.term), actor=outsider) == []
    assert summary_context(term=world.term, township=None, actor=outsider)["place"] == "白云镇"
    # The home officer gets them.
    assert notice_contexts(selection=Selection(term=world.term), actor=world.staff)


def test_the_command_refuses_unknown_names_in_chinese(world, tmp_path):
    common = ["--year", "2022-2023", "--term", "autumn", "--output", str(tmp_path / "x.pdf")]
    with pytest.raises(CommandError, match="没有名为“不存在小学”的学校"):
        call_command("render_report", "notice", *common, "--school", "不存在小学")
    with pytest.raises(CommandError, match="没有名为“无名镇”的乡镇"):
        call_command("render_report", "summary", *common, "--township", "无名镇")
    with pytest.raises(CommandError, match="没有代码为 NOPE"):
        call_command("render_report", "cards", *common, "--policy", "NOPE")
    assert not (tmp_path / "x.pdf").exists()


def test_the_export_centre_renders_a_sign_off_sheet_in_the_background(client, world):
    client.force_login(world.staff)

    response = client.post(
        reverse("export_start", args=["report_signsheet"]),
        {"term": world.term.pk, "township": world.township.pk},
    )

    assert response.status_code == 302
    job = ExportJob.objects.get(owner=world.staff)
    assert job.status == ExportJobStatus.DONE, job.error
    assert job.row_count == len(NAMES) and job.file_path.endswith(".pdf")
    download = client.get(reverse("export_download", args=[job.pk]))
    text = _text(b"".join(download.streaming_content))
    assert "张小明" in text and "发放签领表" in text


def test_the_export_centre_refuses_another_townships_school(client, world):
    outsider = make_user(role=Role.TOWNSHIP_STAFF, township=make_township("白云镇"))
    client.force_login(outsider)

    response = client.post(
        reverse("export_start", args=["report_notice"]),
        {"term": world.term.pk, "school": world.school.pk},
    )

    assert response.status_code == 400  # not a choice the form offers
