"""我的待办 on the 工作台 (the admin index): what waits for the logged-in user, each linking to where it is done.

- batches another officer prepared, for me to approve (four-eyes), and mine waiting for someone else;
- notices (公示) ending within `NOTICE_DAYS` days, or ended with the list still unreviewed;
- computed lists not yet reviewed (名单审核), per term, township and policy;
- applications (资助申请) waiting for my 初审 (township staff) or 审核 (the county's reviewer);
- schools below a policy's floor in the latest term with a list;
- no child missed (名单核查): suspected drop-outs and children not in kindergarten (控辍保学),
  两后生 not yet offered the vocational school's place (or not answered),
  qualifying students not aided (应助未助), external-list differences not yet looked at.

Read through the other apps' selectors only, in the user's scope, with a fixed number of
queries whatever the number of batches, notices or schools. Auditors (read-only) get no
approval to-dos but see the floors; directors work in the portal and get no panel.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.apps import apps
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from aidsite.access import user_scope
from aidsite.models import Role
from students.external_lists import external_difference_count
from students.omissions import omission_counts
from students.two_after import two_after_count
from subsidies.selectors import (
    batches_pending_approval,
    latest_listed_term,
    lists_awaiting_review,
    notices_due,
    schools_below_floor,
    unaided_count,
)
from subsidies.selectors.application_lists import applications_waiting

if TYPE_CHECKING:
    from aidsite.access import Actor
    from students.models import Term
    from subsidies.models import DisbursementBatch

NOTICE_DAYS = 3
LIMIT = 8
# The county-wide checks read every household or every qualifying student: their counts are
# kept per scope until the data they read changes (`_data_version`), at most this long.
CHECK_COUNTS_SECONDS = 3600
# Every change the checks read leaves a history row (SECURITY C4), or an import record: the
# newest id of each is the data's version, read by primary key (no table is scanned).
_VERSIONED = (
    "students.HistoricalStudent",
    "students.HistoricalEnrollment",
    "students.HistoricalHouseholdHardship",
    "students.HistoricalHouseholdMember",
    "students.HistoricalDropoutCase",
    "students.HistoricalDropoutContact",
    "students.HistoricalTwoAfterOffer",
    "subsidies.HistoricalPolicy",
    "subsidies.HistoricalQuotaAllocation",
    "subsidies.HistoricalEntitlement",
    "subsidies.HistoricalLedgerEntry",
    "subsidies.HistoricalBankResult",
    "subsidies.HistoricalReversal",
    "subsidies.HistoricalPaymentAccount",
    "students.ExternalListImport",
)

APPROVE_BATCH = "subsidies.approve_disbursementbatch"
PREPARE_BATCH = "subsidies.prepare_disbursementbatch"
PUBLISH_NOTICE = "subsidies.add_publicnotice"
REVIEW_LIST = "subsidies.approve_entitlement"
AID_PAGES = "subsidies.add_entitlement"


@dataclass(frozen=True)
class Todo:
    """One thing to do: what (the link's text), where it is done, and the figures that explain it."""

    text: str
    url: str
    detail: str


@dataclass
class TodoGroup:
    title: str
    items: list[Todo] = field(default_factory=list)
    # Shown when more than the listed items wait: where to see them all.
    more_url: str = ""
    # Someone else's move (a batch I prepared waits for another officer): not counted as mine.
    waiting: bool = False


def _url(name: str, *args: Any, **query: Any) -> str:
    params = {k: v for k, v in query.items() if v not in (None, "")}
    return reverse(name, args=args) + (f"?{urlencode(params)}" if params else "")


def _who(user: Any) -> str:
    # A Chinese name reads family name first (Django's get_full_name puts it last).
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f} 元"


def _day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _where(township_name: str, term: Term, county_wide: bool) -> str:
    """The term, and the township when the user sees the whole county (staff know their own)."""
    return f"{township_name} {term}" if county_wide else str(term)


def _batch_todo(batch: DisbursementBatch, *, waiting: bool, county_wide: bool) -> Todo:
    when = _day(timezone.localtime(batch.prepared_at).date())
    figures = f"{batch.entry_count} 人，{_money(batch.total_amount)}"
    who = "我" if waiting else f" {_who(batch.prepared_by)} "
    detail = (
        f"{_where(batch.township.name, batch.term, county_wide)}；由{who}于{when}编制，{figures}"
    )
    text = f"{batch.policy.name if batch.policy_id else batch.get_kind_display()} 第{batch.sequence}批"
    return Todo(text=text, url=_url("ledgers:batch", batch.pk), detail=detail)


def _batch_groups(actor: Actor, county_wide: bool) -> list[TodoGroup]:
    pending = batches_pending_approval(actor=actor, limit=LIMIT)
    groups = []
    if actor.has_perm(APPROVE_BATCH) and pending.by_others_count:
        groups.append(
            TodoGroup(
                title=f"待我审核的发放批次（{pending.by_others_count}）",
                items=[
                    _batch_todo(b, waiting=False, county_wide=county_wide)
                    for b in pending.by_others
                ],
                more_url=_url("ledgers:index") if pending.by_others_count > LIMIT else "",
            )
        )
    if actor.has_perm(PREPARE_BATCH) and pending.by_actor_count:
        groups.append(
            TodoGroup(
                title=f"我编制的批次，等待他人审核（{pending.by_actor_count}）",
                items=[
                    _batch_todo(b, waiting=True, county_wide=county_wide) for b in pending.by_actor
                ],
                more_url=_url("ledgers:index") if pending.by_actor_count > LIMIT else "",
                waiting=True,
            )
        )
    return groups


def _review_url(term: Term, township_id: int, policy_code: str, *, county_wide: bool) -> str:
    # The county administrator picks the township on the page; township staff have theirs fixed.
    return _url(
        "aid:approve",
        term=term.pk,
        township=township_id if county_wide else None,
        policy=policy_code,
    )


def _notice_group(actor: Actor, today: dt.date, county_wide: bool) -> TodoGroup | None:
    rows = notices_due(actor=actor, today=today, days=NOTICE_DAYS, limit=LIMIT)
    if not rows:
        return None
    group = TodoGroup(title="资助公示", more_url=_url("notices:index") if len(rows) > LIMIT else "")
    for row in rows[:LIMIT]:
        where = _where(row.township_name, row.term, county_wide)
        if row.ended_count:
            group.items.append(
                Todo(
                    text=f"名单审核：{row.policy_name}",
                    url=_review_url(
                        row.term, row.township_id, row.policy_code, county_wide=county_wide
                    ),
                    detail=f"{where}：{row.ended_count} 所学校的公示已结束，名单尚未审核",
                )
            )
        if row.ending_count and row.ending_by is not None:
            group.items.append(
                Todo(
                    text=f"公示即将结束：{row.policy_name}",
                    url=_url("notices:index", term=row.term.pk),
                    detail=f"{where}：{row.ending_count} 所学校的公示最早于{_day(row.ending_by)}结束",
                )
            )
    return group


def _review_group(actor: Actor, county_wide: bool) -> TodoGroup | None:
    rows = lists_awaiting_review(actor=actor, limit=LIMIT)
    if not rows:
        return None
    return TodoGroup(
        title="已测算、待名单审核的资助名单",
        items=[
            Todo(
                text=row.policy_name,
                url=_review_url(
                    row.term, row.township_id, row.policy_code, county_wide=county_wide
                ),
                detail=f"{_where(row.township_name, row.term, county_wide)}：拟资助 {row.count} 人，{_money(row.total)}",
            )
            for row in rows[:LIMIT]
        ],
        more_url=_url("aid:index") if len(rows) > LIMIT else "",
    )


def _floor_url(actor: Actor, term: Term, school_name: str) -> str:
    if actor.has_perm(AID_PAGES) and not user_scope(actor).read_only:
        # The term's summary (资助名单概览) of the user's township, or of the county.
        return _url("aid:index", term=term.pk)
    # Auditors read the list in the admin (the aid pages are the workflow's, read-write).
    return _url("admin:subsidies_entitlement_changelist", q=school_name)


def _floor_group(actor: Actor, county_wide: bool) -> TodoGroup | None:
    term = latest_listed_term(actor=actor)
    if term is None:
        return None
    rows = schools_below_floor(actor=actor, term=term)
    if not rows:
        return None
    return TodoGroup(
        title=f"低于比例下限的学校（{term}，{len(rows)}）",
        items=[
            Todo(
                text=f"{row.school_name}：{row.policy_name}",
                url=_floor_url(actor, term, row.school_name),
                detail=(
                    (f"{row.township_name}，" if county_wide else "")
                    + f"应不少于 {math.ceil(row.floor_required or 0)} 人，现 {row.floor_counted} 人"
                ),
            )
            for row in rows[:LIMIT]
        ],
        more_url=_floor_url(actor, term, "") if len(rows) > LIMIT else "",
    )


def _application_group(actor: Actor) -> TodoGroup | None:
    """资助申请 waiting for me: 初审 (township staff), 审核 (the county's reviewer, four-eyes)."""
    waiting = applications_waiting(actor)
    items = []
    if waiting.check:
        items.append(Todo(f"待我初审的资助申请 {waiting.check} 件", _url("applications:index", status="submitted"), "核对申请人条件和证明材料后报县审核"))
    if waiting.decide:
        items.append(Todo(f"待我审核的资助申请 {waiting.decide} 件", _url("applications:index", status="checked"), "乡镇已初审；本人录入或初审的申请由他人审核"))
    return TodoGroup(title="资助申请", items=items) if items else None


def _data_version() -> str:
    """The newest history row of each table the checks read: any change gives another version."""
    newest = []
    for label in _VERSIONED:
        model = apps.get_model(label)
        newest.append(model._default_manager.order_by("-pk").values_list("pk", flat=True).first())
    return ".".join(str(pk or 0) for pk in newest)


def _check_counts(actor: Actor) -> dict[str, Any]:
    """The counts behind 名单核查, computed once per scope and version of the data they read."""
    scope = user_scope(actor)
    key = f"oversight:checks:{scope.role}:{scope.township_id}:{actor.has_perm(AID_PAGES)}:{_data_version()}"
    counts = cache.get(key)
    if counts is None:
        omissions = omission_counts(actor)
        two_after = two_after_count(actor)
        term = latest_listed_term(actor=actor) if actor.has_perm(AID_PAGES) else None
        counts = {
            "year": omissions.school_year if omissions else "",
            "dropouts": omissions.suspected_dropouts if omissions else 0,
            "preschool": omissions.not_in_kindergarten if omissions else 0,
            "two_after_year": two_after.school_year if two_after else "",
            "two_after": two_after.waiting if two_after else 0,
            "term": term,
            "unaided": unaided_count(actor, term) if term is not None else 0,
            "differences": external_difference_count(actor),
        }
        cache.set(key, counts, CHECK_COUNTS_SECONDS)
    return counts


def _checks_group(actor: Actor) -> TodoGroup | None:
    """名单核查: no child missed — each count links to its list."""
    counts = _check_counts(actor)
    items = []
    if counts["dropouts"]:
        items.append(Todo(f"疑似失学辍学 {counts['dropouts']} 人", _url("dropouts:index"), f"{counts['year']}学年，逐一劝返并记录跟进"))
    if counts["preschool"]:
        items.append(Todo(f"适龄未入园 {counts['preschool']} 人", _url("dropouts:index", list="preschool"), f"{counts['year']}学年，3–5 周岁"))
    if counts["two_after"]:
        items.append(Todo(f"两后生待落实 {counts['two_after']} 人", _url("dropouts:two_after"), f"{counts['two_after_year']}学年初、高中毕业未升学的特困家庭学生，告知职业中专绿色通道"))
    if counts["unaided"]:
        term = counts["term"]
        items.append(Todo(f"应助未助 {counts['unaided']} 人次", _url("aid:unaided", term=term.pk), f"{term}，逐项核实原因"))
    if counts["differences"]:
        items.append(Todo(f"名单比对差异 {counts['differences']} 条", _url("external_lists:differences"), "与扶贫、民政、残联名单比对后待核实"))
    if not items:
        return None
    return TodoGroup(title="名单核查", items=items)


def workbench_todos(actor: Actor, *, today: dt.date) -> list[TodoGroup]:
    """The actor's to-dos, most pressing first; empty for roles without any."""
    scope = user_scope(actor)
    if scope.role in (None, Role.DIRECTOR):
        return []
    groups: list[TodoGroup | None] = []
    if not scope.read_only:
        groups += _batch_groups(actor, scope.everything)
        if actor.has_perm(PUBLISH_NOTICE):
            groups.append(_notice_group(actor, today, scope.everything))
        if actor.has_perm(REVIEW_LIST):
            groups.append(_review_group(actor, scope.everything))
        groups.append(_application_group(actor))
    groups.append(_floor_group(actor, scope.everything))
    groups.append(_checks_group(actor))
    # What waits for someone else comes after what waits for me.
    return sorted((g for g in groups if g is not None), key=lambda g: g.waiting)


def todos_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The 工作台's panel: None (no panel) for directors, whose work is in the portal."""
    if user_scope(request.user).role in (None, Role.DIRECTOR):
        return None
    groups = workbench_todos(request.user, today=timezone.localdate())
    return {"groups": groups, "count": sum(len(g.items) for g in groups if not g.waiting)}
