"""A kindergarten director on a phone (390×844): log in, record a publicity activity (a blank
one is refused first), hand out a family's policy card (and take back a mistaken step),
record a visit with a photo, and see the results; no page scrolls sideways. Another
kindergarten's child stays out of reach."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.models import Activity, HomeVisit, PolicyCard
from tests.campaigns.conftest import png_bytes
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHOTO = {"name": "家长会.png", "mimeType": "image/png", "buffer": png_bytes()}


def _log_in(page, portal_server, username):  # type: ignore[no-untyped-def]
    page.goto(portal_server.url + reverse("campaigns:home"))
    assert "/portal/login/" in page.url
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/portal/schools/**")


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    """Nothing on the page is wider than the phone's screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide"


def test_director_records_an_activity_a_card_step_and_a_visit_on_a_phone(
    phone, portal_server, world
):
    page = phone
    director = world.users["director_a"]
    director.first_name, director.last_name = "雪", "李"
    director.save()
    _log_in(page, portal_server, "director_a")
    _fits(page)

    # A publicity activity: a blank one is refused, field by field; then it is saved.
    page.get_by_role("link", name="宣传", exact=True).click()
    page.get_by_role("link", name="记录一次宣传活动").click()
    _fits(page)
    page.get_by_role("button", name="保存").click()
    page.get_by_text("请填写活动内容").wait_for()
    assert page.locator(".field.has-error", has_text="覆盖人数").count() == 1
    assert not Activity.objects.exists()
    page.get_by_label("覆盖人数").fill("45")
    page.get_by_label("活动内容").fill("召开家长会，讲解学前教育资助政策")
    page.get_by_label("照片").set_input_files([PHOTO])
    assert "家长会.png" in page.locator(".picker-files").inner_text()  # the chosen file is named
    _fits(page)
    page.get_by_role("button", name="保存").click()
    page.get_by_text("宣传活动已记录").wait_for()
    assert "覆盖 45 人" in page.locator(".item").first.inner_text()
    assert Activity.objects.get().photos.count() == 1

    # The family's policy card: find the family, record printing and handing out with the
    # person's name filled in, take back a mistaken step.
    household = world.a_poor.student.household
    page.get_by_role("link", name="明白卡", exact=True).click()
    page.get_by_placeholder("输入户主、幼儿姓名或村名").fill("仇小兰")
    page.get_by_role("button", name="查找").click()
    row = page.locator(f"#family-{household.pk}")
    assert page.locator(".card-row").count() == 1
    row.get_by_role("button", name="登记打印").click()
    row.get_by_role("button", name="登记发放").wait_for()
    assert row.get_by_label("发放人").input_value() == "李雪"
    row.get_by_role("button", name="登记发放").click()
    row.get_by_role("button", name="登记核对").wait_for()
    assert "已发放" in row.locator(".badge").first.inner_text()
    row.get_by_role("button", name="撤销发放（登记错了）").click()
    row.get_by_role("button", name="登记发放").wait_for()
    assert PolicyCard.objects.get(household=household).handed_out_on is None
    row.get_by_role("button", name="登记发放").click()
    row.get_by_role("button", name="登记核对").wait_for()
    assert PolicyCard.objects.get(household=household).handed_out_by == "李雪"
    _fits(page)

    # A home visit with a photo; the leader is the person logged in.
    page.get_by_role("link", name="首页").click()
    page.locator(".item", has_text="仇小兰").get_by_role("link").click()
    page.get_by_role("link", name="填写走访记录").click()
    assert page.get_by_label("仇小兰").is_checked()
    assert page.get_by_label("带队人").input_value() == "李雪"
    page.get_by_label("与家长交谈").check()
    page.get_by_label("家长反映").fill("对幼儿园走访慰问表示感动")
    page.get_by_label("照片").set_input_files([{**PHOTO, "name": "visit.png"}])
    _fits(page)
    page.get_by_role("button", name="保存走访记录").click()
    page.get_by_text("走访记录已保存").wait_for()
    _fits(page)
    visit = HomeVisit.objects.get(children=world.a_poor.student)
    assert visit.photos.count() == 1 and visit.led_by == "李雪"

    # The visit shows with its photo; the kindergarten's list shows the child visited.
    page.locator(".item a", has_text="带队").first.click()
    image = page.locator(".photos img").first
    image.wait_for()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=10000
    )
    _fits(page)
    page.get_by_role("link", name="首页").click()
    assert "本学期已走访" in page.locator(".item", has_text="仇小兰").inner_text()


def test_director_cannot_open_another_kindergartens_child(phone, portal_server, world):
    page = phone
    _log_in(page, portal_server, "director_a")
    response = page.goto(portal_server.url + reverse("campaigns:child", args=[world.b_poor.pk]))
    assert response.status == 404
    assert "河口丙" not in page.content()
    response = page.goto(portal_server.url + reverse("campaigns:visit_new", args=[world.b_poor.pk]))
    assert response.status == 404
