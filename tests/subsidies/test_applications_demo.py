"""The demo's applications: one in every state, entered through the services, safe to repeat."""

from __future__ import annotations

from decimal import Decimal

import pytest

from students.demo import demo_accounts_ensure
from students.models import HouseholdCategory, Stage
from subsidies.demo import applications_demo_load
from subsidies.models import AidApplication, Entitlement, EntitlementStatus, Policy, StudentLoan
from tests.factories import make_school, make_township

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_township(term, township, kids):
    """青山镇 as the demo has it, in small: a fee-charging kindergarten, a 特困 and a 低保 child of a poor village."""
    make_township("白云镇")
    kindergarten = make_school(
        township=township,
        name="青山镇中心幼儿园",
        stages=Stage.KINDERGARTEN,
        tuition=Decimal("1200"),
    )
    for category, name in (
        (HouseholdCategory.EXTREME, "于帆"),
        (HouseholdCategory.DIBAO, "袁文磊"),
    ):
        kids(kindergarten, categories=(category,), poor=True, stage=Stage.KINDERGARTEN, name=name)
    demo_accounts_ensure()
    return township


def _states() -> dict[tuple[str, str], str]:
    return {
        (a.policy.code, a.student.name): a.status
        for a in AidApplication.objects.select_related("policy", "student")
    }


def test_the_demo_has_an_application_in_every_state_and_repeats_safely(term, demo_township):
    result = applications_demo_load()
    assert result.created
    states = _states()
    assert states[("PRE-FEE", "于帆")] == "approved"
    assert (
        states[("PRE-FEE", "袁文磊")] == "submitted"
    )  # outside the rules, with a reason: waits for 初审
    assert sorted(s for (code, _name), s in states.items() if code.startswith("HE-")) == [
        "approved", "approved", "checked",
    ]  # fmt: skip
    # The county's one-off amounts, set as the county would.
    amounts = dict(Policy.objects.filter(school_year=term.school_year, code__in=["HE-LIVING", "HE-AUTUMN"])
                   .values_list("code", "annual_amount"))  # fmt: skip
    assert amounts == {"HE-LIVING": Decimal("3000.00"), "HE-AUTUMN": Decimal("2000.00")}
    granted = dict(
        Entitlement.objects.filter(status=EntitlementStatus.APPROVED).values_list(
            "policy__code", "amount"
        )
    )
    # 1200 a year at the kindergarten: 600 for the term; the 低保 freshman's 3000.
    assert granted == {"PRE-FEE": Decimal("600.00"), "HE-LIVING": Decimal("3000.00")}
    # 应贷尽贷: a 低保 household of a poor village borrows the 本科 cap, 8000, not the 6700 of fees.
    assert StudentLoan.objects.get().amount_per_year == Decimal("8000.00")

    again = applications_demo_load()
    assert not again.created
    assert _states() == states
    assert Entitlement.objects.count() == 2
