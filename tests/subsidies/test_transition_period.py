"""Households that left poverty (已脱贫) count as registered poor for the transition period (过渡期), not forever.

DOMAIN.md: "a household that left poverty keeps its policies for the transition period,
脱贫不脱政策, as a configurable rule"; issue 11: "the central five-year transition period after
2020 — households that left poverty count through the end of 2025; the figure is the county's
to edit".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from aidsite.models import Role
from students.models import HouseholdCategory as H
from students.models import HouseholdHardship, PovertyStatus, Season, Stage, Term
from subsidies.models import Category, Policy
from subsidies.rules.facts import HOUSEHOLD_FACT_KEYS
from subsidies.selectors import policies_for_term, population_facts
from subsidies.services.policies import policies_open_year
from tests.factories import make_enrollment, make_school_year, make_user
from tests.subsidies.townships import compute, rows
from tests.world import year_with_policies

pytestmark = pytest.mark.django_db


def _lifted(enrollment: Any, category: str, year: int | None) -> None:
    HouseholdHardship.objects.filter(household=enrollment.student.household, category=category).update(
        status=PovertyStatus.LIFTED, year_lifted=year
    )


def _later_term(enrollment: Any, name: str) -> Term:
    """The autumn term of school year `name`, the child enrolled there at the same school."""
    year = year_with_policies(name)
    make_enrollment(
        student=enrollment.student, school=enrollment.school, school_year=year, stage=enrollment.stage,
        is_boarding=enrollment.is_boarding,
    )  # fmt: skip
    return Term.objects.select_related("school_year").get(school_year=year, season=Season.AUTUMN)


def _registered(term: Term, enrollment: Any, code: str = "CMP-BOARD") -> bool:
    """Whether the child's household counts as 建档立卡 under the policy in `term` (its fact row)."""
    [policy] = policies_for_term(term, code)
    [row] = [r for r in population_facts(policy, term=term) if r["student_id"] == enrollment.student_id]
    return bool(row[HOUSEHOLD_FACT_KEYS[Category.REGISTERED]])


def test_every_policy_defaults_to_the_central_five_year_transition_period_ending_2025(term):
    """"the central five-year transition period after 2020 — households that left poverty count
    through the end of 2025" """
    policies = Policy.objects.filter(school_year=term.school_year)
    assert {(p.transition_end, p.transition_years) for p in policies} == {(dt.date(2025, 12, 31), None)}


def test_a_household_that_left_poverty_in_2019_still_counts_in_2022_2023(term, kids):
    """"脱贫不脱政策": a household that left in 2019 is inside the transition period that runs
    through the end of 2025, so its child is still paid as 建档立卡 in 2022-2023."""
    school = kids.school(Stage.PRIMARY, is_rural=True)
    child = kids(school, categories=(H.REGISTERED,), is_boarding=True)
    _lifted(child, H.REGISTERED, 2019)
    compute(term)
    assert _registered(term, child)
    board = rows(term, "CMP-BOARD")[child.student_id]
    assert board.amount == Decimal("500.00")
    assert "建档立卡" in board.reason_text


def test_after_the_transition_period_a_household_counts_only_under_its_other_categories(term, kids):
    """"after it, it counts only under its other categories": in 2026-2027 (after the end of
    2025) a lifted 建档立卡 household is no longer registered poor, its 低保 still counts."""
    school = kids.school(Stage.PRIMARY, is_rural=True)
    only_registered = kids(school, categories=(H.REGISTERED,), is_boarding=True)
    also_dibao = kids(school, categories=(H.REGISTERED, H.DIBAO), is_boarding=True)
    for child in (only_registered, also_dibao):
        _lifted(child, H.REGISTERED, 2019)
    later = _later_term(only_registered, "2026-2027")
    make_enrollment(
        student=also_dibao.student, school=school, school_year=later.school_year, stage=Stage.PRIMARY,
        is_boarding=True,
    )  # fmt: skip
    compute(later)
    assert not _registered(later, only_registered)
    assert not _registered(later, also_dibao)
    board = rows(later, "CMP-BOARD")
    assert only_registered.student_id not in board
    assert also_dibao.student_id in board
    assert "低保" in board[also_dibao.student_id].reason_text
    assert "建档立卡" not in board[also_dibao.student_id].reason_text


def test_a_household_still_in_poverty_counts_after_the_transition_period_ends(term, kids):
    """The transition period limits only households that left poverty (已脱贫); 未脱贫 ones count."""
    school = kids.school(Stage.PRIMARY, is_rural=True)
    child = kids(school, categories=(H.REGISTERED,), is_boarding=True)
    later = _later_term(child, "2026-2027")
    assert _registered(later, child)


def test_the_county_can_set_the_period_in_years_after_the_year_left(term, kids):
    """"the number of years, or an end date, after leaving poverty": with 3 years a household that
    left in 2019 counts through 2022 (the autumn 2022 term starts inside it), one that left in
    2018 no longer does; one whose year left is unknown falls back to the end date."""
    Policy.objects.filter(school_year=term.school_year).update(transition_years=3)
    school = kids.school(Stage.PRIMARY, is_rural=True)
    left_2019, left_2018, unknown = (kids(school, categories=(H.REGISTERED,), is_boarding=True) for _ in range(3))
    _lifted(left_2019, H.REGISTERED, 2019)
    _lifted(left_2018, H.REGISTERED, 2018)
    _lifted(unknown, H.REGISTERED, None)
    assert _registered(term, left_2019)
    assert not _registered(term, left_2018)
    assert _registered(term, unknown)
    Policy.objects.filter(school_year=term.school_year).update(transition_end=dt.date(2022, 6, 30))
    assert _registered(term, left_2019)
    assert not _registered(term, unknown)


def test_an_end_date_before_the_term_ends_the_transition_for_every_lifted_household(term, kids):
    """"an end date ... after it, it counts only under its other categories" (the county's to edit)."""
    Policy.objects.filter(school_year=term.school_year).update(transition_end=dt.date(2022, 8, 31))
    school = kids.school(Stage.PRIMARY, is_rural=True)
    child = kids(school, categories=(H.REGISTERED,), is_boarding=True)
    _lifted(child, H.REGISTERED, 2021)
    compute(term)
    assert not _registered(term, child)
    assert child.student_id not in rows(term, "CMP-BOARD")


def _change_form_data(response: Any) -> dict[str, Any]:
    """The admin change form as rendered, ready to post back."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        forms.extend(formset.initial_forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif value not in (None, False):
                data[form.add_prefix(name)] = value
    for inline in response.context["inline_admin_formsets"]:
        data[inline.formset.management_form.add_prefix("TOTAL_FORMS")] = len(inline.formset.initial_forms)
    return data


def test_the_county_administrator_edits_the_transition_period_in_the_admin(term):
    """"the figure is the county's to edit": 县资助中心管理员 sets the end date and years."""
    client = Client()
    client.force_login(make_user(role=Role.COUNTY_ADMIN, username="county"))
    policy = Policy.objects.get(school_year=term.school_year, code="CMP-BOARD")
    url = reverse("admin:subsidies_policy_change", args=[policy.pk])
    page = client.get(url)
    assert "过渡期截止日期" in page.content.decode()
    data = _change_form_data(page)
    data.update({"transition_end": "2026-12-31", "transition_years": "5"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    policy.refresh_from_db()
    assert (policy.transition_end, policy.transition_years) == (dt.date(2026, 12, 31), 5)


def test_opening_the_next_year_copies_the_transition_period(term):
    """The county's transition period carries over to the next year with the policies (open_year)."""
    Policy.objects.filter(school_year=term.school_year, code="HS-GRANT").update(
        transition_end=dt.date(2027, 6, 30), transition_years=4
    )
    next_year = make_school_year("2023-2024")
    policies_open_year(school_year=next_year)
    copied = Policy.objects.get(school_year=next_year, code="HS-GRANT")
    assert (copied.transition_end, copied.transition_years) == (dt.date(2027, 6, 30), 4)
    other = Policy.objects.get(school_year=next_year, code="CMP-BOARD")
    assert (other.transition_end, other.transition_years) == (dt.date(2025, 12, 31), None)
