"""Who may open and change what in the directors' portal (SECURITY A1–A4)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from campaigns.activities import activity_record
from campaigns.models import Channel, HomeVisit, Mentoring, MentoringFocus, PhaseKind, PolicyCard
from campaigns.visits import visit_record
from tests.campaigns.conftest import SYSTEM, png_bytes, visit_at

ROLES = ["anonymous", "director_a", "director_b", "township", "township_west", "auditor", "county"]


@pytest.fixture
def objects(world):
    visit = visit_record(
        actor=SYSTEM,
        school=world.school_a, household=world.a_poor.student.household, children=[world.a_poor.student],
        visited_at=visit_at(world.term), led_by="李雪", follow_up_needed=True, follow_up="送冬衣",
        photos=[SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")],
    )
    activity = activity_record(
        actor=SYSTEM,
        campaign=world.campaign, school=world.school_a, date=timezone.localdate(),
        phase=PhaseKind.IMPLEMENT, channel=Channel.PARENT_MEETING, reach=40, notes="家长会宣传资助政策",
        photos=[SimpleUploadedFile("b.png", png_bytes(), content_type="image/png")],
    )
    mentoring = Mentoring.objects.create(
        student=world.a_poor.student, school=world.school_a, teachers="王老师、张老师",
        focus=MentoringFocus.COUNSELLING, started_on=world.term.start_date,
    )
    return {"visit": visit, "activity": activity, "mentoring": mentoring}


def _client(client, world, role):
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


# Expected status per role, in ROLES order.
A_OBJECT = [302, 200, 404, 200, 404, 200, 200]  # an object of kindergarten A
A_WRITE_FORM = [302, 200, 404, 403, 403, 403, 200]  # a form that writes for kindergarten A
LIST = [302, 200, 200, 200, 200, 200, 200]  # a list scoped to the user
CAMPAIGN = [302, 200, 200, 200, 404, 200, 200]  # the east campaign (A and B take part)

GET_CASES = {
    "home": (lambda w, o: reverse("campaigns:home"), [302, 302, 302, 200, 200, 200, 200]),
    "coverage": (lambda w, o: reverse("campaigns:coverage"), LIST),
    "campaigns": (lambda w, o: reverse("campaigns:campaigns"), LIST),
    "mentoring": (lambda w, o: reverse("campaigns:mentoring"), LIST),
    "ledger": (lambda w, o: reverse("campaigns:mentoring_ledger"), LIST),
    "school": (lambda w, o: reverse("campaigns:school", args=[w.school_a.pk]), A_OBJECT),
    "cards": (lambda w, o: reverse("campaigns:cards", args=[w.school_a.pk]), A_OBJECT),
    "activities": (lambda w, o: reverse("campaigns:activities", args=[w.school_a.pk]), A_OBJECT),
    "term_summary": (lambda w, o: reverse("campaigns:term_summary", args=[w.school_a.pk]), A_OBJECT),
    "term_summary_pdf": (lambda w, o: reverse("campaigns:term_summary_pdf", args=[w.school_a.pk]), A_OBJECT),
    "child": (lambda w, o: reverse("campaigns:child", args=[w.a_poor.pk]), A_OBJECT),
    "visit": (lambda w, o: reverse("campaigns:visit", args=[o["visit"].pk]), A_OBJECT),
    "visit_pdf": (lambda w, o: reverse("campaigns:visit_pdf", args=[o["visit"].pk]), A_OBJECT),
    "visit_photo": (lambda w, o: reverse("campaigns:photo", args=["visit", o["visit"].photos.get().pk]), A_OBJECT),
    "activity_photo": (
        lambda w, o: reverse("campaigns:photo", args=["activity", o["activity"].photos.get().pk]),
        A_OBJECT,
    ),
    "mentoring_detail": (lambda w, o: reverse("campaigns:mentoring_detail", args=[o["mentoring"].pk]), A_OBJECT),
    "visit_new": (lambda w, o: reverse("campaigns:visit_new", args=[w.a_poor.pk]), A_WRITE_FORM),
    "activity_new": (lambda w, o: reverse("campaigns:activity_new", args=[w.school_a.pk]), A_WRITE_FORM),
    "summary_edit": (
        lambda w, o: reverse("campaigns:summary_edit", args=[w.campaign.pk, w.school_a.pk]),
        A_WRITE_FORM,
    ),
    "campaign": (lambda w, o: reverse("campaigns:campaign", args=[w.campaign.pk]), CAMPAIGN),
}

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(GET_CASES))
def test_get_status_per_role(client, world, objects, name, role):
    url_for, expected = GET_CASES[name]
    response = _client(client, world, role).get(url_for(world, objects))
    assert response.status_code == expected[ROLES.index(role)]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("campaigns:login"))


# POSTs that change something, per role: kindergarten A's objects.
def _post_cases(w, o):
    household = w.a_poor.student.household
    return {
        "visit_new": (
            reverse("campaigns:visit_new", args=[w.a_poor.pk]),
            {"children": [w.a_poor.student.pk], "visited_at": "2026-09-01T12:00", "led_by": "某人"},
        ),
        "visit_close": (reverse("campaigns:visit_close", args=[o["visit"].pk]), {}),
        "card_tick": (
            reverse("campaigns:card_tick", args=[w.school_a.pk, household.pk]),
            {"step": "printed", "by": "某人", "on": "2026-09-02"},
        ),
        "cards_print": (reverse("campaigns:cards_print", args=[w.school_a.pk]), {}),
        "activity_new": (
            reverse("campaigns:activity_new", args=[w.school_a.pk]),
            {"campaign": w.campaign.pk, "date": "2026-09-03", "phase": "implement", "channel": "sms", "reach": "5",
             "notes": "短信宣传"},
        ),
        "summary_edit": (reverse("campaigns:summary_edit", args=[w.campaign.pk, w.school_a.pk]), {"text": "总结"}),
        "contact": (
            reverse("campaigns:mentoring_detail", args=[o["mentoring"].pk]),
            {"date": w.term.start_date.isoformat(), "teacher": "王老师", "mode": "talk", "content": "谈心"},
        ),
    }


POST_EXPECTED = {  # status per role for a write to kindergarten A
    "anonymous": 302, "director_b": 404, "township": 403, "township_west": 403, "auditor": 403,
}


@pytest.mark.parametrize("role", sorted(POST_EXPECTED))
@pytest.mark.parametrize(
    "name", ["visit_new", "visit_close", "card_tick", "cards_print", "activity_new", "summary_edit", "contact"]
)
def test_writes_to_another_kindergarten_are_refused_and_change_nothing(client, world, objects, name, role):
    url, data = _post_cases(world, objects)[name]
    counts = (HomeVisit.objects.count(), PolicyCard.objects.count(), objects["mentoring"].contacts.count())
    response = _client(client, world, role).post(url, data)
    assert response.status_code == POST_EXPECTED[role]
    objects["visit"].refresh_from_db()
    assert not objects["visit"].follow_up_done
    assert counts == (HomeVisit.objects.count(), PolicyCard.objects.count(), objects["mentoring"].contacts.count())


@pytest.mark.parametrize(
    "name", ["visit_new", "visit_close", "card_tick", "cards_print", "activity_new", "summary_edit", "contact"]
)
def test_the_own_director_may_write(client, world, objects, name):
    url, data = _post_cases(world, objects)[name]
    response = _client(client, world, "director_a").post(url, data)
    assert response.status_code == 302, getattr(response, "context", None) and response.context.get("form").errors


def test_a_director_cannot_record_a_visit_for_another_kindergartens_child_through_the_form(client, world):
    client.force_login(world.users["director_a"])
    response = client.post(
        reverse("campaigns:visit_new", args=[world.a_poor.pk]),
        {"children": [world.b_poor.student.pk], "visited_at": "2026-09-01T12:00", "led_by": "李雪"},
    )
    assert response.status_code == 200
    assert "children" in response.context["form"].errors
    assert not HomeVisit.objects.filter(children=world.b_poor.student).exists()


def test_lists_hold_only_the_users_scope(client, world, objects):
    client.force_login(world.users["director_b"])
    page = client.get(reverse("campaigns:coverage")).content.decode()
    assert "河口丙" in page and "孤儿甲" not in page and "西山丁" not in page
    client.force_login(world.users["township_west"])
    page = client.get(reverse("campaigns:coverage")).content.decode()
    assert "西山丁" in page and "河口丙" not in page
    client.force_login(world.users["township"])
    page = client.get(reverse("campaigns:coverage")).content.decode()
    assert "河口丙" in page and "孤儿甲" in page and "西山丁" not in page


def test_a_director_sees_only_their_own_row_of_a_campaign(client, world, objects):
    client.force_login(world.users["director_b"])
    page = client.get(reverse("campaigns:campaign", args=[world.campaign.pk])).content.decode()
    assert "东城镇河口幼儿园" in page and "东城镇中心幼儿园" not in page


def _ledger(client, user):
    client.force_login(user)
    response = client.get(reverse("campaigns:mentoring_ledger"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(rows) if row[0] == "序号")
    total = next(i for i, row in enumerate(rows) if row[0] == "合计")
    return rows[header + 1 : total]  # the data rows


def test_mentoring_ledger_export_is_scoped_masked_and_logged(client, world, objects):
    from aidsite.models import AccessLog

    rows = _ledger(client, world.users["director_a"])
    assert len(rows) == 1 and rows[0][2] == "仇小兰"
    id_cell = rows[0][3]
    assert "*" in id_cell  # directors get masked ID numbers
    assert AccessLog.objects.filter(user=world.users["director_a"], action="export").exists()
    assert _ledger(client, world.users["director_b"]) == []
    assert _ledger(client, world.users["township_west"]) == []
    auditor_rows = _ledger(client, world.users["auditor"])
    assert auditor_rows[0][3] == world.a_poor.student.id_number  # text, all 18 characters
