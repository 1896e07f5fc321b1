"""The aid summary flags students whose conditions an applied external list changed after the last computation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aidsite.access import SystemActor
from aidsite.models import Role
from students.importing.external_service import external_list_import
from students.models import HouseholdCategory, Stage
from tests.factories import make_user
from tests.students.external_sheets import CIVIL_HEADERS, workbook
from tests.subsidies.townships import compute

pytestmark = pytest.mark.django_db

FLAG = "名单比对后有 1 名学生的资助条件变化，请重新测算"


def test_a_list_change_is_flagged_until_the_term_is_recomputed(
    client, term, township, kids, tmp_path
):
    school = kids.school(Stage.HIGH, name="青山中学")
    pupils = [kids(school, name=f"学生{i}") for i in range(3)]
    # The term has a list; the civil-affairs list keeps this child's 特困.
    extreme = kids(school, categories=(HouseholdCategory.EXTREME,), name="特困生").student
    compute(term)
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    client.force_login(staff)
    assert FLAG not in client.get(reverse("aid:index"), {"term": term.pk}).content.decode()

    gains = pupils[0].student
    path = workbook(tmp_path / "c.xlsx", CIVIL_HEADERS, [
        [township.name, gains.household.village.name, gains.household.head_name, gains.name, gains.id_number,
         "低保", "2022-01-01", ""],
        [township.name, extreme.household.village.name, extreme.household.head_name, extreme.name,
         extreme.id_number, "特困", "", ""],
    ])  # fmt: skip
    external_list_import(source="civil", file=path, actor=SystemActor("县信息员"))

    assert FLAG in client.get(reverse("aid:index"), {"term": term.pk}).content.decode()

    compute(term)
    assert FLAG not in client.get(reverse("aid:index"), {"term": term.pk}).content.decode()
