"""开设学年 from a page: the county administrator previews what is copied, then confirms;
the page and the `open_year` command share one service (subsidies.services.policies.year_open)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from aidsite.models import Role
from students.models import SchoolYear, Term
from students.school_years import current_school_year_name
from subsidies.models import Policy, PolicyTier
from subsidies.services.policies import year_open, year_opening_plan
from tests.factories import make_township, make_user
from tests.world import year_with_policies

pytestmark = pytest.mark.django_db

URL = "policies:open_year"
THIS = current_school_year_name()  # the calendar's school year, offered by the page
LAST = f"{int(THIS[:4]) - 1}-{THIS[:4]}"
BEFORE = f"{int(THIS[:4]) - 2}-{int(THIS[:4]) - 1}"


@pytest.fixture
def last_year():
    """Last school year with the seed's policies, one tier's amount changed by the county."""
    year = year_with_policies(LAST)
    tier = (
        PolicyTier.objects.filter(policy__school_year=year, policy__code="PRE-GRANT")
        .order_by("tier")
        .first()
    )
    tier.annual_amount = "1234.00"
    tier.save()
    return year


@pytest.fixture
def county(client):
    client.force_login(make_user(role=Role.COUNTY_ADMIN))
    return client


def test_the_preview_lists_the_policies_by_name_with_their_tiers_and_writes_nothing(
    county, last_year
):
    page = county.post(reverse(URL), {"year": THIS, "preview": "1"}).content.decode()
    assert f"预览：{THIS}学年将设置" in page and f"复制自{LAST}学年" in page
    assert all(p.name in page for p in Policy.objects.filter(school_year=last_year))
    assert "1,234.00 元/年" in page
    assert not SchoolYear.objects.filter(name=THIS).exists()
    assert Policy.objects.exclude(school_year=last_year).count() == 0


def test_confirming_opens_the_year_its_terms_and_a_copy_of_every_policy(county, last_year):
    source = county.post(reverse(URL), {"year": THIS, "preview": "1"}).context["plan"].source_label
    response = county.post(reverse(URL), {"year": THIS, "source": source, "confirm": "1"})
    year = SchoolYear.objects.get(name=THIS)
    assert response.status_code == 302
    assert (
        response.url
        == f"{reverse('admin:subsidies_policy_changelist')}?school_year__id__exact={year.pk}"
    )
    assert Term.objects.filter(school_year=year).count() == 2
    copied = Policy.objects.filter(school_year=year)
    assert copied.count() == Policy.objects.filter(school_year=last_year).count()
    assert (
        PolicyTier.objects.get(
            policy__school_year=year, policy__code="PRE-GRANT", tier=1
        ).annual_amount
        == 1234
    )
    listed = county.get(response.url).content.decode()
    assert f"已开设{THIS}学年" in listed and copied.first().name in listed


def test_a_year_that_has_its_policies_is_refused_in_chinese(county, last_year):
    page = county.post(reverse(URL), {"year": LAST, "preview": "1"}).content.decode()
    assert "该学年已有资助项目或不能开设" in page
    with pytest.raises(ValidationError, match=f"{LAST}学年已有资助项目"):
        year_opening_plan(name=LAST)
    with pytest.raises(ValidationError, match="格式不对"):
        year_opening_plan(name="2024")


def test_a_first_year_gets_the_seed_standards(county):
    plan = year_opening_plan(name=THIS)
    assert plan.source is None and plan.source_label == "种子标准" and len(plan.policies) >= 10
    page = county.post(reverse(URL), {"year": THIS, "preview": "1"}).content.decode()
    assert "种子标准" in page


def test_a_change_after_the_preview_is_caught_and_nothing_is_written(county, last_year):
    county.post(reverse(URL), {"year": THIS, "preview": "1"})
    page = county.post(
        reverse(URL), {"year": THIS, "source": f"复制自{BEFORE}学年", "confirm": "1"}, follow=True
    ).content.decode()
    assert "请重新核对" in page
    assert not Policy.objects.filter(school_year__name=THIS).exists()


def test_only_the_county_administrator_opens_a_year(client, last_year):
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=make_township())
    for user in (officer, make_user(role=Role.AUDITOR)):
        client.force_login(user)
        assert client.get(reverse(URL)).status_code == 403
        assert client.post(reverse(URL), {"year": THIS, "confirm": "1"}).status_code == 403
        with pytest.raises(PermissionDenied):
            year_open(name=THIS, actor=user)
    assert not SchoolYear.objects.filter(name=THIS).exists()


def test_the_admin_index_and_the_policy_list_link_to_the_page(county, last_year):
    assert reverse(URL) in county.get(reverse("admin:index")).content.decode()
    assert reverse(URL) in county.get(reverse("admin:subsidies_policy_changelist")).content.decode()
