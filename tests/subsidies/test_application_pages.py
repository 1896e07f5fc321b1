"""The application pages (/aid/applications/): scope, the forms' errors, 破格受理, four-eyes, evidence."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aidsite.models import AccessLog, Role
from students.models import HouseholdCategory, Stage
from subsidies.models import (
    AidApplication,
    ApplicationStatus,
    EntitlementStatus,
    EvidenceKind,
    Policy,
)
from subsidies.rules.applications import Asked
from subsidies.services.applications import application_check, application_submit
from tests.campaigns.conftest import png_bytes
from tests.factories import make_school, make_township, make_user, make_village
from tests.world import enroll_child

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def place(term, township, kids):
    """A kindergarten with a fee (1800 a year) in 青山镇, a 特困 child of a poor village and a plain child."""
    school = make_school(
        township=township,
        stages=Stage.KINDERGARTEN,
        tuition=Decimal("1800"),
        name="青山镇中心幼儿园",
    )
    poor = kids(
        school,
        categories=(HouseholdCategory.EXTREME,),
        poor=True,
        stage=Stage.KINDERGARTEN,
        name="贫困童",
    )
    plain = kids(school, stage=Stage.KINDERGARTEN, name="普通童")
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    return {
        "term": term,
        "school": school,
        "poor": poor.student,
        "plain": plain.student,
        "officer": officer,
        "policy": Policy.objects.get(school_year=term.school_year, code="PRE-FEE"),
        "county": make_user(role=Role.COUNTY_ADMIN),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post_new(client: Client, place, student, **extra):
    data = {
        "id_number": student.id_number,
        "policy": place["policy"].pk,
        "term": place["term"].pk,
        "amount_requested": "600",
        "applied_on": timezone.localdate().isoformat(),
        "evidence-TOTAL_FORMS": "3",
        "evidence-INITIAL_FORMS": "0",
        "evidence-MIN_NUM_FORMS": "0",
        "evidence-MAX_NUM_FORMS": "6",
        **extra,
    }
    return client.post(reverse("applications:new"), data)


def _submitted(place, student=None, actor=None) -> AidApplication:
    return application_submit(
        actor=actor or place["officer"],
        student=student or place["poor"],
        policy=place["policy"],
        term=place["term"],
        asked=Asked(amount=Decimal("600")),
        applied_on=timezone.localdate(),
        evidence=[
            (
                EvidenceKind.HARDSHIP,
                SimpleUploadedFile("证明.png", png_bytes(), content_type="image/png"),
            )
        ],
    )


def test_it_enters_an_application_with_its_evidence_and_shows_it_for_初审(place):
    client = _client(place["officer"])
    photo = SimpleUploadedFile("特困证明.png", png_bytes(), content_type="image/png")
    response = _post_new(
        client, place, place["poor"], **{"evidence-0-kind": "hardship", "evidence-0-file": photo}
    )
    application = AidApplication.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "applications:detail", args=[application.pk]
    )
    assert application.evidence.get().kind == EvidenceKind.HARDSHIP
    page = client.get(response["Location"]).content.decode()
    assert "初审通过" in page
    # The rules' amount and why: asked 600, the fee for the term is 900.
    rules = page.split('id="rules-amount"', 1)[1].split("</td>", 1)[0]
    assert "<strong>600.00 元</strong>" in rules and "每学期 900.00 元" in rules
    assert not FULL_ID.search(page)


def test_an_applicant_outside_the_rules_needs_an_exception_reason_shown_to_the_reviewer(place):
    client = _client(place["officer"])
    response = _post_new(client, place, place["plain"])
    page = response.content.decode()
    assert response.status_code == 200 and not AidApplication.objects.exists()
    assert "申请人家庭不在省定贫困村" in page and "破格受理理由" in page
    response = _post_new(client, place, place["plain"], exception_reason="  ")
    assert not AidApplication.objects.exists()
    response = _post_new(
        client, place, place["plain"], exception_reason="家庭突发重大变故，村委证明"
    )
    application = AidApplication.objects.get()
    assert application.exception_reason == "家庭突发重大变故，村委证明"
    application_check(application=application, actor=place["officer"])
    review = (
        _client(place["county"])
        .get(reverse("applications:detail", args=[application.pk]))
        .content.decode()
    )
    exception = review.split('id="exception"', 1)[1].split("</div>", 1)[0]
    assert "家庭突发重大变故" in exception and "申请人家庭不在省定贫困村" in exception


def test_the_form_refuses_unknown_ids_amounts_above_the_cap_and_a_missing_term(place):
    client = _client(place["officer"])
    page = _post_new(client, place, place["poor"], id_number="11010519491231002X").content.decode()
    assert "登记系统中没有此身份证号" in page
    page = _post_new(client, place, place["poor"], amount_requested="901").content.decode()
    assert "超过上限" in page
    page = _post_new(client, place, place["poor"], term="").content.decode()
    assert "请选择申请的学期" in page
    assert not AidApplication.objects.exists()


def test_evidence_that_is_not_an_image_or_pdf_or_too_large_is_refused(place, settings):
    client = _client(place["officer"])
    text = SimpleUploadedFile("a.png", b"not an image", content_type="image/png")
    page = _post_new(
        client, place, place["poor"], **{"evidence-0-kind": "hardship", "evidence-0-file": text}
    )
    assert "证明材料只能是照片" in page.content.decode() and not AidApplication.objects.exists()
    settings.CAMPAIGN_PHOTO_MAX_BYTES = 100
    big = SimpleUploadedFile("b.png", png_bytes((400, 400)), content_type="image/png")
    page = _post_new(
        client, place, place["poor"], **{"evidence-0-kind": "hardship", "evidence-0-file": big}
    )
    assert "证明材料不能超过" in page.content.decode() and not AidApplication.objects.exists()


def test_another_township_cannot_see_the_application_or_its_evidence(place):
    application = _submitted(place)
    other = make_township("白云镇")
    outsider = _client(make_user(role=Role.TOWNSHIP_STAFF, township=other))
    evidence = application.evidence.get()
    assert outsider.get(reverse("applications:detail", args=[application.pk])).status_code == 404
    assert outsider.get(reverse("applications:evidence", args=[evidence.pk])).status_code == 404
    assert (
        outsider.post(
            reverse("applications:check", args=[application.pk]), {"passed": "1"}
        ).status_code
        == 404
    )
    listing = outsider.get(reverse("applications:index")).content.decode()
    assert "贫困童" not in listing
    # Nor can they enter one for 青山镇's child: the page knows no such person.
    page = _post_new(outsider, place, place["poor"]).content.decode()
    assert "登记系统中没有此身份证号" in page
    own = _client(place["officer"]).get(reverse("applications:index")).content.decode()
    assert "贫困童" in own and "待初审 <strong>1</strong>" in own


def test_the_evidence_file_is_served_and_logged(place):
    application = _submitted(place)
    evidence = application.evidence.get()
    response = _client(place["officer"]).get(reverse("applications:evidence", args=[evidence.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(
        b"\x89PNG"
    )
    assert (
        AccessLog.objects.filter(
            detail__pk=evidence.pk, detail__model="subsidies.applicationevidence"
        ).count()
        == 1
    )


def test_whoever_checked_it_is_refused_the_decision_on_the_page(place):
    county = place["county"]
    application = _submitted(place, actor=county)
    application_check(application=application, actor=place["officer"])
    client = _client(county)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "双人审核" in page and 'name="approve"' not in page
    response = client.post(reverse("applications:decide", args=[application.pk]), {"approve": "1"})
    assert "不能审核自己经手的申请" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CHECKED


def test_the_county_approves_at_the_rules_amount_and_a_refusal_needs_a_reason(place):
    application = _submitted(place)
    officer = _client(place["officer"])
    officer.post(reverse("applications:check", args=[application.pk]), {"passed": "1"})
    county = _client(place["county"])
    page = county.post(
        reverse("applications:decide", args=[application.pk]), {"approve": "0"}
    ).content.decode()
    assert "不予批准须写明理由" in page
    response = county.post(
        reverse("applications:decide", args=[application.pk]), {"approve": "1", "amount": ""}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (
        application.status == ApplicationStatus.APPROVED
        and application.amount_approved == Decimal("600.00")
    )
    assert application.entitlement.status == EntitlementStatus.APPROVED
    timeline = county.get(response["Location"]).content.decode().split('id="timeline"', 1)[1]
    assert [a in timeline for a in ("提交", "初审通过", "批准 600")] == [True, True, True]


def test_a_refused_初审_needs_a_reason(place):
    application = _submitted(place)
    page = _client(place["officer"]).post(
        reverse("applications:check", args=[application.pk]), {"passed": "0"}
    )
    assert "不予批准须写明理由" in page.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_the_list_runs_a_constant_number_of_queries(place, django_assert_max_num_queries, term):
    village = make_village(township=place["school"].township, name="新村", poor=True)
    client = _client(place["officer"])
    client.get(reverse("applications:index"))
    for i in range(3):
        child = enroll_child(school=place["school"], year=term.school_year, village=village,
                             categories=(HouseholdCategory.EXTREME,), name=f"童{i}")  # fmt: skip
        _submitted(place, student=child.student)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("applications:index"))
    for i in range(12):
        child = enroll_child(school=place["school"], year=term.school_year, village=village,
                             categories=(HouseholdCategory.EXTREME,), name=f"多童{i}")  # fmt: skip
        _submitted(place, student=child.student)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("applications:index")).content.decode()
    assert "共 15 件" in page


def test_the_student_record_and_the_workbench_show_the_applications(place):
    application = _submitted(place)
    officer = _client(place["officer"])
    record = officer.get(
        reverse("admin:students_student_change", args=[place["poor"].pk])
    ).content.decode()
    assert "资助申请" in record and "保教费减免" in record
    assert "待我初审的资助申请 1 件" in officer.get(reverse("admin:index")).content.decode()
    application_check(application=application, actor=place["officer"])
    county = _client(place["county"])
    assert "待我审核的资助申请 1 件" in county.get(reverse("admin:index")).content.decode()
