"""Every term picker opens on the latest term holding the page's data (subsidies.selectors.terms);
a school year without policies says so, and nothing computes or exports an empty result."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from aidsite.access import SystemActor
from aidsite.models import ExportJob, ExportJobStatus, Role
from students.exports import StudentRosterForm
from students.models import Season, Stage, Term
from subsidies.forms.ledgers import FundsExportForm, LedgerExportForm
from subsidies.selectors import TermData, default_school_year, default_term
from subsidies.services.ledgers import batch_prepare
from tests.factories import make_township, make_user
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff
from tests.subsidies.townships import compute
from tests.world import current_school_year, year_with_policies

pytestmark = pytest.mark.django_db

NO_POLICIES = "学年尚未设置资助项目"


def _term(year, season=Season.AUTUMN) -> Term:
    return Term.objects.select_related("school_year").get(school_year=year, season=season)


@pytest.fixture
def empty_year():
    """This calendar year, opened without its policies (as `load_demo` leaves it)."""
    return current_school_year()


def _a_computed_list(term, kids) -> None:
    primary = kids.school(Stage.PRIMARY, is_rural=True)
    kids(primary, orphan=True, grade="三年级", class_name="1班", is_boarding=True)
    assert compute(term).added


def test_aid_pages_open_on_the_latest_list_when_this_year_has_no_policies(
    client, term, township, kids, empty_year
):
    _a_computed_list(term, kids)
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    assert default_term(actor=officer, data=TermData.AID) == term
    client.force_login(officer)
    page = client.get(reverse("aid:index"))
    assert page.context["term"] == term
    assert NO_POLICIES not in page.content.decode()


def test_the_term_under_way_wins_once_its_year_has_policies(term, township, kids):
    _a_computed_list(term, kids)
    this_year = year_with_policies()
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    chosen = default_term(actor=officer, data=TermData.AID)
    today = timezone.localdate()
    assert chosen.school_year == this_year and chosen.start_date <= today <= chosen.end_date


def test_with_no_list_anywhere_the_latest_begun_term_with_policies_is_chosen(term, empty_year):
    county = make_user(role=Role.COUNTY_ADMIN)
    chosen = default_term(actor=county, data=TermData.NOTICES)
    assert chosen.school_year == term.school_year and chosen.season == Season.SPRING


def test_a_township_opens_on_its_own_data_not_another_townships(term, township, empty_year):
    spring = _term(term.school_year, Season.SPRING)
    approved_entitlements(term=spring, township=make_township("白云镇"), count=1)
    approved_entitlements(term=term, township=township, count=1)
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    assert default_term(actor=officer, data=TermData.PREPARE) == term
    assert default_term(actor=make_user(role=Role.COUNTY_ADMIN), data=TermData.PREPARE) == spring


def test_ledger_pickers_prefer_the_term_with_a_batch(term, township, empty_year):
    spring = _term(term.school_year, Season.SPRING)
    approved_entitlements(term=term, township=township, count=2)
    approved_entitlements(term=spring, township=township, count=1)
    preparer, _approver = two_staff(township)
    batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer)
    assert default_term(actor=preparer, data=TermData.LEDGER) == term
    assert default_term(actor=preparer, data=TermData.PREPARE) == spring
    assert default_school_year(actor=preparer, data=TermData.LEDGER) == term.school_year
    form = LedgerExportForm(user=preparer)
    assert form["term"].initial == term


def test_prepare_and_notice_forms_open_on_a_term_with_data(client, term, township, empty_year):
    approved_entitlements(term=term, township=township, count=2)
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    client.force_login(officer)
    prepare = client.get(reverse("ledgers:prepare")).context["form"]
    assert prepare["term"].value() == term.pk
    assert prepare.fields["policy"].initial.school_year == term.school_year
    notice = client.get(reverse("notices:new")).context["form"]
    assert notice["term"].value() == term.pk


def test_funds_and_conflicts_show_the_latest_year_at_once(client, term, township, empty_year):
    approved_entitlements(term=term, township=township, count=2)
    preparer, _approver = two_staff(township)
    batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer)
    client.force_login(preparer)
    funds = client.get(reverse("ledgers:funds"))
    assert funds.context["year"] == term.school_year and funds.context["villages"] is not None
    conflicts = client.get(reverse("ledgers:conflicts"))
    assert (
        conflicts.context["form"].is_bound
        and conflicts.context["form"].cleaned_data["term"] == term
    )


def test_a_year_without_policies_says_so_and_the_county_gets_the_link(
    client, term, township, empty_year
):
    autumn = _term(empty_year)
    open_url = reverse("policies:open_year")
    client.force_login(make_user(role=Role.COUNTY_ADMIN))
    page = client.get(reverse("aid:index"), {"term": autumn.pk}).content.decode()
    assert f"{empty_year.name}{NO_POLICIES}" in page and open_url in page
    assert "尚未测算" not in page

    client.force_login(make_user(role=Role.TOWNSHIP_STAFF, township=township))
    page = client.get(reverse("aid:list"), {"term": autumn.pk}).content.decode()
    assert f"{empty_year.name}{NO_POLICIES}" in page and open_url not in page
    assert "请联系县资助中心管理员" in page


def test_computing_a_year_without_policies_is_refused_not_no_change(client, township, empty_year):
    autumn = _term(empty_year)
    client.force_login(make_user(role=Role.COUNTY_ADMIN))
    page = client.post(reverse("aid:compute"), {"term": autumn.pk, "preview": "1"}).content.decode()
    assert f"{empty_year.name}{NO_POLICIES}" in page
    assert "没有变化" not in page and "预览：" not in page
    with pytest.raises(ValidationError, match=NO_POLICIES):
        compute(autumn, actor=SystemActor("测试"))


def test_exports_of_a_year_without_policies_are_refused(term, township, empty_year):
    county = make_user(role=Role.COUNTY_ADMIN)
    ledger = LedgerExportForm({"term": _term(empty_year).pk}, user=county)
    assert not ledger.is_valid() and NO_POLICIES in ledger.errors["term"][0]
    funds = FundsExportForm({"school_year": empty_year.pk}, user=county)
    assert not funds.is_valid() and NO_POLICIES in funds.errors["school_year"][0]
    assert LedgerExportForm({"term": term.pk}, user=county).is_valid()


def test_prepare_in_a_year_without_policies_names_the_year_not_the_policy(
    client, term, township, empty_year
):
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    client.force_login(officer)
    page = client.post(
        reverse("ledgers:prepare"),
        {
            "term": _term(empty_year).pk,
            "policy": policy_of(term).pk,
            "township": township.pk,
            "default_method": "cash",
        },
    ).content.decode()
    assert f"{empty_year.name}{NO_POLICIES}" in page
    assert "该资助项目不属于所选学期的学年" not in page


def test_a_ledger_with_no_payment_is_a_clear_failure_not_an_empty_file(client, term, township):
    approved_entitlements(term=term, township=township, count=1)  # approved, never in a batch
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    client.force_login(officer)
    client.post(reverse("export_start", args=["ledger"]), {"term": term.pk})
    job = ExportJob.objects.get(owner=officer)
    assert (
        job.status == ExportJobStatus.FAILED
        and "没有可导出的数据" in job.error
        and not job.file_path
    )
    assert "没有可导出的数据" in client.get(reverse("export_centre")).content.decode()


def test_the_roster_export_opens_on_the_latest_year_with_a_roster(term, township, kids, empty_year):
    _a_computed_list(term, kids)
    form = StudentRosterForm(user=make_user(role=Role.TOWNSHIP_STAFF, township=township))
    assert form["school_year"].initial == term.school_year_id
