"""Demo campaigns, cards, visits and mentoring for the demo township (students.demo).

Seeded, so every run gives the same picture; safe to repeat (it does nothing once the
demo campaign exists). Built through the services, as a director would enter it.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from campaigns.activities import activity_record, summary_save
from campaigns.cards import STEPS, card_families, card_step_record
from campaigns.coverage import registered_enrollments
from campaigns.mentoring import mentoring_contact_record, mentoring_start
from campaigns.models import (
    Campaign,
    CampaignMember,
    CampaignPhase,
    Channel,
    ContactMode,
    MemberRole,
    MentoringFocus,
    PhaseKind,
    VisitAction,
)
from campaigns.visits import visit_record
from students.models import Enrollment, School, SchoolYear, Stage, Term, Township

if TYPE_CHECKING:
    from aidsite.access import Actor

DEMO_CAMPAIGN = "2023年学前教育宣传月"
SEED = 20221231

_PLAN = (
    "为深入贯彻学前教育法规政策，宣传科学育儿知识，纠正幼儿园“小学化”倾向，"
    "全镇各幼儿园开展学前教育宣传月活动。宣传月期间组织全园教师集中学习，"
    "向广大幼儿家长宣传国家和省市有关学前教育资助政策。"
)
_EVALUATIONS = (
    "你是个天真可爱的小女孩，喜欢唱歌跳舞，一听见音乐就随着节奏起舞唱歌。你的进步挺大的，是老师的小帮手！",
    "你能自己吃饭、自己上厕所，游戏时积极参与，和小伙伴友好相处，真了不起。",
    "你画画画得很棒，以前内向的你现在敢在小朋友面前表演了，继续加油！",
)
_FEEDBACK = (
    "家长对幼儿园走访慰问表示感动，对及时有效的爱心对接表示感谢。",
    "家长表示孩子回家常说幼儿园的事，希望继续享受资助政策。",
    "奶奶说孩子在园里长高了，也更懂事了。",
)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


@transaction.atomic
def campaigns_demo_load(
    *, actor: Actor, township_name: str = "青山镇", year_name: str = "2022-2023"
) -> dict[str, Any]:
    """Create the demo campaign, activities, policy cards, home visits and mentoring pairs.

    `actor` is recorded as who entered the activities, summaries and visits.
    """
    township = Township.objects.get(name=township_name)
    year = SchoolYear.objects.get(name=year_name)
    if Campaign.objects.filter(township=township, name=DEMO_CAMPAIGN).exists():
        return {"created": False}
    # One generator drawn in a fixed order: the same picture on every run.
    rng = random.Random(SEED)
    kindergartens = list(
        School.objects.filter(township=township, stages__contains=Stage.KINDERGARTEN).order_by("name")
    )
    campaign = _demo_campaign(township=township, year=year, kindergartens=kindergartens)
    _demo_activities(campaign=campaign, kindergartens=kindergartens, rng=rng, actor=actor)
    autumn, spring = year.terms.order_by("start_date")
    visits = cards = 0
    for school in kindergartens:
        cards += _demo_cards(school=school, year=year, autumn=autumn, rng=rng, actor=actor)
        enrollments = list(
            registered_enrollments(school_year=year).filter(school=school)
            .select_related("student__household").order_by("student__name")
        )
        visits += _demo_visits(
            school=school, enrollments=enrollments, autumn=autumn, spring=spring, rng=rng, actor=actor
        )
        _demo_mentoring(school=school, enrollments=enrollments[:2], autumn=autumn, rng=rng)
    return {"created": True, "campaign": campaign, "cards": cards, "visits": visits}


def _demo_campaign(*, township: Township, year: SchoolYear, kindergartens: list[School]) -> Campaign:
    """The publicity month with its three phases and leading group."""
    y = year.start_year + 1
    campaign = Campaign.objects.create(
        name=DEMO_CAMPAIGN, school_year=year, township=township, plan_text=_PLAN
    )
    campaign.schools.set(kindergartens)
    CampaignPhase.objects.bulk_create(
        [
            CampaignPhase(campaign=campaign, kind=PhaseKind.MOBILISE, start_date=dt.date(y, 5, 20),
                          end_date=dt.date(y, 5, 25), tasks="成立宣传月领导小组，制定宣传工作方案，召开幼儿园教师会议"),
            CampaignPhase(campaign=campaign, kind=PhaseKind.IMPLEMENT, start_date=dt.date(y, 5, 28),
                          end_date=dt.date(y, 6, 15), tasks="根据实施方案和幼儿园实际，采取多种形式进行宣传"),
            CampaignPhase(campaign=campaign, kind=PhaseKind.SUMMARISE, start_date=dt.date(y, 6, 18),
                          end_date=dt.date(y, 6, 18), tasks="各园总结，镇教办汇总"),
        ]
    )
    CampaignMember.objects.bulk_create(
        [
            CampaignMember(campaign=campaign, name="张建国", role=MemberRole.LEADER, position="镇教办主任"),
            CampaignMember(campaign=campaign, name="李雪", role=MemberRole.DEPUTY, position="青山镇中心幼儿园园长"),
            CampaignMember(campaign=campaign, name="王芳", role=MemberRole.MEMBER, position="青山镇阳光幼儿园园长"),
        ]
    )
    return campaign


def _demo_activities(
    *, campaign: Campaign, kindergartens: list[School], rng: random.Random, actor: Actor
) -> None:
    y = campaign.school_year.start_year + 1
    channels = list(Channel.values)
    for index, school in enumerate(kindergartens):
        # The last kindergarten has not reported any activity yet: the township sees it.
        for n in range(0 if index == len(kindergartens) - 1 else rng.randint(3, 6)):
            day = dt.date(y, 5, 28) + dt.timedelta(days=rng.randint(0, 18))
            activity_record(
                campaign=campaign, school=school, date=day, phase=PhaseKind.IMPLEMENT,
                channel=channels[(n + index) % len(channels)], audience="全体家长",
                reach=rng.randint(20, 150), notes="宣传学前教育资助政策和科学育儿知识", actor=actor,
            )
        if index == 0:
            summary_save(campaign=campaign, school=school,
                         text="本园通过家长会、家园栏、微信群等形式广泛宣传，家长对资助政策了解率明显提高。",
                         actor=actor)


def _demo_cards(
    *, school: School, year: SchoolYear, autumn: Term, rng: random.Random, actor: Actor
) -> int:
    """Every family's card, each taken a random number of steps; returns how many families."""
    cards = 0
    for family in card_families(school=school, school_year=year):
        done = rng.choice([4, 4, 4, 3, 2, 1, 0])
        for step in STEPS[:done]:
            card_step_record(
                school=school, school_year=year, household=family, step=step,
                on=autumn.start_date + dt.timedelta(days=10 + STEPS.index(step) * 3),
                by=family.head_name if step == "signed" else "班主任", actor=actor,
            )
        cards += 1
    return cards


def _demo_visits(
    *, school: School, enrollments: list[Enrollment], autumn: Term, spring: Term,
    rng: random.Random, actor: Actor,
) -> int:
    """The registered children's home visits; returns how many."""
    visits = 0
    for n, enrollment in enumerate(enrollments):
        # Most children are visited each term; every fourth not yet in spring.
        terms = [autumn] if n % 4 == 3 else [autumn, spring]
        for term in terms:
            day = term.start_date + dt.timedelta(days=rng.randint(20, 100))
            if term == autumn and n == 0:
                day = dt.date(autumn.school_year.start_year, 12, 31)  # the seed's visit before the holiday
            visit_record(
                school=school, household=enrollment.student.household,
                children=[enrollment.student], visited_at=_at(day, 12), led_by="李雪" if n == 0 else "园长",
                participants="全园教师、村扶贫专干",
                actions=[VisitAction.TALK, VisitAction.PLAY, VisitAction.CLEAN]
                + ([VisitAction.GREET] if day.month in (12, 1) else []),
                family_feedback=rng.choice(_FEEDBACK), teacher_evaluation=rng.choice(_EVALUATIONS),
                follow_up_needed=n % 5 == 1, follow_up="寒假前送冬衣和图书" if n % 5 == 1 else "",
                actor=actor,
            )
            visits += 1
    return visits


def _demo_mentoring(
    *, school: School, enrollments: list[Enrollment], autumn: Term, rng: random.Random
) -> None:
    for enrollment in enrollments:
        mentoring = mentoring_start(
            student=enrollment.student, school=school, teachers="刘老师、陈老师",
            focus=rng.choice(MentoringFocus.values), started_on=autumn.start_date,
        )
        for k in range(3):
            mentoring_contact_record(
                mentoring=mentoring, date=autumn.start_date + dt.timedelta(days=30 * (k + 1)),
                teacher="刘老师", mode=rng.choice(ContactMode.values),
                content="了解孩子在家情况，辅导生活习惯", outcome="孩子更开朗了",
            )
