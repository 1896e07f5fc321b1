"""SECURITY D1: an ID number or phone typed into free text is masked on output.

A visit's 家长反映 holds an ID and a mobile; pages, the admin and the PDFs show them
masked to roles without the reveal permission, in full to those with it, and the
stored text is never changed by viewing or saving.
"""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from pypdf import PdfReader

from aidsite.models import AccessAction, AccessLog, Role
from campaigns.models import HomeVisit
from campaigns.visits import visit_record
from tests.campaigns.conftest import SYSTEM, visit_at
from tests.factories import make_user

TYPED_ID = "11010519491231002X"
TYPED_PHONE = "13812345678"
FEEDBACK = f"家长说孩子身份证号是{TYPED_ID}，有事打{TYPED_PHONE}"
LEAK = re.compile(r"\d{17}[\dX]|1[3-9]\d{9}")


@pytest.fixture
def visit(world) -> HomeVisit:
    return visit_record(
        actor=SYSTEM,
        school=world.school_a, household=world.a_poor.student.household, children=[world.a_poor.student],
        visited_at=visit_at(world.term), led_by="李雪", participants=f"扶贫专干（{TYPED_PHONE}）",
        family_feedback=FEEDBACK, teacher_evaluation="活泼", follow_up_needed=True,
        follow_up=f"联系家长 {TYPED_PHONE}",
    )


@pytest.fixture
def masked_township_officer(world):
    """Township scope without the reveal permission (a county may grant it to few)."""
    township = make_user(role=Role.TOWNSHIP_STAFF, township=world.school_a.township, username="masked_town")
    group = Group.objects.create(name="乡镇（不含完整身份信息）")
    group.permissions.set(
        township.groups.get().permissions.exclude(codename="view_full_personal_data")
    )
    township.groups.set([group])
    return township


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def _pages(visit):
    return [
        reverse("campaigns:visit", args=[visit.pk]),
        reverse("campaigns:term_summary", args=[visit.school_id]),
        f"/admin/campaigns/homevisit/{visit.pk}/change/",
        "/admin/campaigns/homevisit/",
    ]


@pytest.mark.parametrize("who", ["director_a", "masked_township_officer"])
def test_pages_and_the_admin_mask_ids_and_phones_in_free_text(client, world, visit, masked_township_officer, who):
    user = masked_township_officer if who == "masked_township_officer" else world.users[who]
    client.force_login(user)
    for url in _pages(visit):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert LEAK.search(html) is None, url
    detail = client.get(reverse("campaigns:visit", args=[visit.pk])).content.decode()
    assert "1101**********002X" in detail and "138****5678" in detail
    admin_page = client.get(f"/admin/campaigns/homevisit/{visit.pk}/change/").content.decode()
    assert "家长说孩子身份证号是1101**********002X" in admin_page


def test_a_masked_view_is_no_reveal(client, world, visit):
    client.force_login(world.users["director_a"])
    client.get(reverse("campaigns:visit", args=[visit.pk]))
    client.get(f"/admin/campaigns/homevisit/{visit.pk}/change/")
    assert not AccessLog.objects.filter(action=AccessAction.REVEAL).exists()


def test_the_visit_record_pdf_masks_them(client, world, visit):
    client.force_login(world.users["director_a"])
    text = _pdf_text(client.get(reverse("campaigns:visit_pdf", args=[visit.pk])))
    assert "家长说孩子身份证号是1101**********002X" in text
    assert LEAK.search(text) is None
    summary = _pdf_text(client.get(reverse("campaigns:term_summary_pdf", args=[visit.school_id])))
    assert "联系家长138****5678" in summary
    assert LEAK.search(summary) is None


def test_a_county_admin_with_the_reveal_permission_reads_them_in_full(client, world, visit):
    county = world.users["county"]
    client.force_login(county)
    page = client.get(reverse("campaigns:visit", args=[visit.pk])).content.decode()
    assert TYPED_ID in page and TYPED_PHONE in page
    admin_page = client.get(f"/admin/campaigns/homevisit/{visit.pk}/change/").content.decode()
    assert TYPED_ID in admin_page
    # Each full view of the text is a reveal in the access log (SECURITY D2).
    reveals = AccessLog.objects.filter(user=county, action=AccessAction.REVEAL)
    assert reveals.count() == 2
    assert all("family_feedback" in entry.detail["free_text"] for entry in reveals)
    text = _pdf_text(client.get(reverse("campaigns:visit_pdf", args=[visit.pk])))
    assert TYPED_ID in text


def test_the_admin_never_writes_the_masked_text_back(client, world):
    # A director edits mentoring pairs in the admin and may not reveal; the notes are free text.
    from campaigns.models import Mentoring, MentoringFocus

    mentoring = Mentoring.objects.create(
        student=world.a_poor.student, school=world.school_a, teachers="王老师",
        focus=MentoringFocus.COUNSELLING, started_on=world.term.start_date, notes=FEEDBACK,
    )
    client.force_login(world.users["director_a"])
    url = f"/admin/campaigns/mentoring/{mentoring.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "notes" not in form.fields and LEAK.search(page.content.decode()) is None
    data = {
        name: (value.pk if hasattr(value, "pk") else value)
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    # A forged post of the masked text is ignored: the field is not in the form.
    data["notes"] = "1101**********002X"
    response = client.post(url, data)
    assert response.status_code == 302
    mentoring.refresh_from_db()
    assert mentoring.notes == FEEDBACK


def test_the_history_version_page_masks_them(client, world, visit):
    client.force_login(world.users["director_a"])
    version = visit.history.latest()
    response = client.get(f"/admin/campaigns/homevisit/{visit.pk}/history/{version.history_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "家长说孩子身份证号是1101**********002X" in html
    assert LEAK.search(html) is None


def test_the_mentoring_ledger_masks_free_text_for_a_director(client, world):
    from openpyxl import load_workbook

    from campaigns.models import Mentoring, MentoringContact, MentoringFocus

    mentoring = Mentoring.objects.create(
        student=world.a_poor.student, school=world.school_a, teachers=f"王老师{TYPED_PHONE}",
        focus=MentoringFocus.COUNSELLING, started_on=world.term.start_date,
    )
    MentoringContact.objects.create(
        mentoring=mentoring, date=world.term.start_date, teacher="王老师", content=FEEDBACK,
        outcome=f"已转告 {TYPED_PHONE}",
    )
    client.force_login(world.users["director_a"])
    response = client.get(reverse("campaigns:mentoring_ledger"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    cells = [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None]
    assert any("家长说孩子身份证号是1101**********002X" in cell for cell in cells)
    assert not [cell for cell in cells if LEAK.search(cell)]


def test_the_campaign_report_pdf_masks_them_for_a_director(world):
    from django.utils import timezone

    from campaigns.activities import activity_record
    from campaigns.models import Channel, PhaseKind
    from campaigns.report_jobs import CampaignReport

    world.campaign.plan_text = f"联系人电话 {TYPED_PHONE}"
    world.campaign.save()
    activity_record(
        actor=SYSTEM,
        campaign=world.campaign, school=world.school_a, date=timezone.localdate(),
        phase=PhaseKind.IMPLEMENT, channel=Channel.PARENT_MEETING, reach=40, notes=FEEDBACK,
    )

    def text_for(user) -> str:
        out = io.BytesIO()
        CampaignReport().run(actor=user, parameters={"campaign": world.campaign.pk}, out=out, progress=lambda p: None)
        reader = PdfReader(io.BytesIO(out.getvalue()))
        return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")

    director = text_for(world.users["director_a"])
    assert "联系人电话138****5678" in director
    assert LEAK.search(director) is None
    assert TYPED_PHONE in text_for(world.users["county"])


def test_saved_mentoring_contacts_are_masked_and_kept_new_ones_are_typed(client, world):
    import datetime as dt

    from campaigns.models import Mentoring, MentoringContact, MentoringFocus

    mentoring = Mentoring.objects.create(
        student=world.a_poor.student, school=world.school_a, teachers="王老师",
        focus=MentoringFocus.COUNSELLING, started_on=world.term.start_date,
    )
    contact = MentoringContact.objects.create(
        mentoring=mentoring, date=world.term.start_date, teacher="王老师", mode="talk", content=FEEDBACK,
    )
    client.force_login(world.users["director_a"])
    url = f"/admin/campaigns/mentoring/{mentoring.pk}/change/"
    page = client.get(url)
    html = page.content.decode()
    assert "家长说孩子身份证号是1101**********002X" in html and LEAK.search(html) is None

    form = page.context["adminform"].form
    data = {
        name: (value.pk if hasattr(value, "pk") else value)
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    (inline,) = page.context["inline_admin_formsets"]
    prefix = inline.formset.prefix
    data.update({
        f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-id": contact.pk, f"{prefix}-0-mentoring": mentoring.pk,
        f"{prefix}-0-date": (world.term.start_date + dt.timedelta(days=1)).isoformat(),
        f"{prefix}-0-teacher": "王老师", f"{prefix}-0-mode": contact.mode,
        f"{prefix}-0-content": "家长说孩子身份证号是1101**********002X", f"{prefix}-0-outcome": "",
        f"{prefix}-1-mentoring": mentoring.pk, f"{prefix}-1-date": world.term.start_date.isoformat(),
        f"{prefix}-1-teacher": "张老师", f"{prefix}-1-mode": contact.mode,
        f"{prefix}-1-content": "电话家访", f"{prefix}-1-outcome": "",
    })
    response = client.post(url, data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.content == FEEDBACK
    assert contact.date == world.term.start_date + dt.timedelta(days=1)
    assert MentoringContact.objects.filter(mentoring=mentoring, content="电话家访").exists()


def test_a_director_still_types_free_text_when_adding_in_the_admin(client, world):
    from campaigns.models import Mentoring

    client.force_login(world.users["director_a"])
    page = client.get("/admin/campaigns/mentoring/add/")
    assert page.status_code == 200
    fields = page.context["adminform"].form.fields
    assert "teachers" in fields and "notes" in fields
    inline = page.context["inline_admin_formsets"][0].formset.prefix
    response = client.post("/admin/campaigns/mentoring/add/", {
        "student": world.a_poor.student.pk, "school": world.school_a.pk, "teachers": "王老师",
        "focus": "counselling", "started_on": world.term.start_date.isoformat(), "notes": "每周谈心",
        f"{inline}-TOTAL_FORMS": "0", f"{inline}-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302
    assert Mentoring.objects.get(student=world.a_poor.student).notes == "每周谈心"
