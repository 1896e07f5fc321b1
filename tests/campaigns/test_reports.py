"""The PDFs carry their text, and personal data stays masked in them."""

import io
import re

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from aidsite.models import AccessLog
from campaigns.activities import activity_record
from campaigns.cards import card_step_record
from campaigns.models import Channel, PhaseKind
from campaigns.visits import visit_record
from tests.campaigns.conftest import SYSTEM, visit_at


def _text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def _visit(world):
    return visit_record(
        actor=SYSTEM,
        school=world.school_a, household=world.a_poor.student.household, children=[world.a_poor.student],
        visited_at=visit_at(world.term), led_by="李雪", participants="全园教师、扶贫专干",
        actions=["talk", "play", "clean", "greet"], family_feedback="对幼儿园走访慰问表示感动",
        teacher_evaluation="你是个天真可爱的小女孩，喜欢唱歌跳舞", follow_up_needed=True, follow_up="寒假送冬衣",
    )


def test_visit_record_pdf_carries_the_visit(client, world):
    visit = _visit(world)
    client.force_login(world.users["director_a"])
    text = _text(client.get(reverse("campaigns:visit_pdf", args=[visit.pk])))
    for expected in ("走访记录表", "仇小兰", "李雪", "扶贫专干", "帮助打扫卫生", "天真可爱的小女孩", "寒假送冬衣"):
        assert expected in text
    assert not re.search(r"\d{17}[\dX]", text)
    assert AccessLog.objects.filter(action="print", user=world.users["director_a"]).count() == 1


def test_term_summary_pdf_carries_activities_cards_visits_and_follow_ups(client, world):
    _visit(world)
    activity_record(actor=SYSTEM, campaign=world.campaign, school=world.school_a, date=timezone.localdate(),
                    phase=PhaseKind.IMPLEMENT, channel=Channel.PARENT_MEETING, audience="全体家长", reach=85,
                    notes="召开家长会宣传资助政策")
    for step in ("printed", "handed_out", "checked", "signed"):
        card_step_record(school=world.school_a, school_year=world.year, household=world.a_poor.student.household,
                         step=step, on=world.term.start_date, by="王老师", actor=SYSTEM)
    client.force_login(world.users["director_a"])
    response = client.get(reverse("campaigns:term_summary_pdf", args=[world.school_a.pk]))
    text = _text(response)
    for expected in ("东城镇中心幼儿园", "家长会", "全体家长", "85", "明白卡已签字1户，共3户", "仇小兰", "寒假送冬衣", "孤儿甲"):
        assert expected in text, expected
    page = client.get(reverse("campaigns:term_summary", args=[world.school_a.pk])).content.decode()
    assert "寒假送冬衣" in page and "家长会" in page


# The campaign report is a background job: tests/campaigns/test_report_jobs.py.
