"""A township officer in the browser: record a donor (资助方), then pair it with one pupil (一对一)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aidsite.models import Role
from students.models import Stage
from subsidies.models import Donor, Pairing, PairingShape
from tests.campaigns.conftest import current_school_year
from tests.factories import (
    PASSWORD,
    make_household,
    make_school,
    make_township,
    make_user,
    make_village,
)
from tests.world import enroll

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_township_officer_records_a_donor_and_a_one_to_one_pairing(desktop, portal_server):
    year = current_school_year()
    township = make_township("青山镇")
    school = make_school(township=township, name="青山镇中心小学", stages=Stage.PRIMARY)
    pupil = enroll(
        school=school,
        year=year,
        household=make_household(village=make_village(township=township)),
        stage=Stage.PRIMARY,
        student={"name": "王小明"},
        grade="三年级",
        class_name="1班",
    ).student
    make_user(role=Role.TOWNSHIP_STAFF, township=township, username="officer")

    page = desktop
    page.goto(portal_server.url + reverse("admin:subsidies_donor_add"))
    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/donor/add/**")
    page.locator("#id_township").select_option(str(township.pk))
    page.locator("#id_name").fill("青山爱心企业")
    page.locator("#id_kind").select_option("company")
    page.locator("#id_contact_name").fill("李经理")
    page.locator("#id_phone").fill("13912345678")
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/subsidies/donor/")
    listing = page.locator("#content-main").inner_text()
    assert "青山爱心企业" in listing and "139****5678" in listing and "13912345678" not in listing
    donor = Donor.objects.get()

    page.goto(portal_server.url + reverse("donors:pairing_new"))
    page.get_by_label("一对一").check()
    page.locator("#id_donors").select_option(str(donor.pk))
    page.locator("#id_students").select_option(str(pupil.pk))
    page.locator("#id_from_year").select_option(str(year.pk))
    page.locator("#id_to_year").select_option(str(year.pk))
    page.locator("#id_amount").fill("500")
    page.screenshot(path="/tmp/donor_pairing_form.png", full_page=True)
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.get_by_role("button", name="登记结对").click()
    page.wait_for_url("**/subsidies/pairing/*/change/**")
    body = page.locator("#content-main").inner_text()
    assert "青山爱心企业" in body and "王小明" in body
    page.screenshot(path="/tmp/donor_pairing_done.png", full_page=True)
    pairing = Pairing.objects.get()
    assert pairing.shape == PairingShape.ONE_TO_ONE and pairing.students.get().student == pupil
