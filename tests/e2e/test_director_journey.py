"""A kindergarten director on a phone: log in, open a child, record a visit with a photo,
see the child covered; another kindergarten's child stays out of reach."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.models import HomeVisit
from tests.campaigns.conftest import png_bytes
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page, portal_server, username):  # type: ignore[no-untyped-def]
    page.goto(portal_server.url + reverse("campaigns:home"))
    assert "/portal/login/" in page.url
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/portal/schools/**")


def test_director_records_a_visit_with_a_photo_and_the_child_is_covered(phone, portal_server, world):
    page = phone
    _log_in(page, portal_server, "director_a")
    child_item = page.locator(".item", has_text="仇小兰")
    assert "本学期未走访" in child_item.inner_text()

    child_item.get_by_role("link").click()
    page.get_by_role("link", name="填写走访记录").click()
    assert page.get_by_label("仇小兰").is_checked()  # the child we came from is ticked
    page.get_by_label("带队人").fill("李雪")
    page.get_by_label("参加人员").fill("全园教师、村扶贫专干")
    page.get_by_label("与家长交谈").check()
    page.get_by_label("节日慰问").check()
    page.get_by_label("家长反映").fill("对幼儿园走访慰问表示感动")
    page.get_by_label("教师评语").fill("你是个天真可爱的小女孩")
    page.get_by_label("照片").set_input_files(
        [{"name": "visit.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.get_by_role("button", name="保存走访记录").click()

    page.get_by_text("走访记录已保存").wait_for()
    visit = HomeVisit.objects.get(children=world.a_poor.student)
    assert visit.photos.count() == 1 and visit.get_actions_display() == "与家长交谈、节日慰问"

    # The visit shows with its photo, served through the portal.
    page.locator(".item a", has_text="带队").first.click()
    image = page.locator(".photos img").first
    image.wait_for()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=10000
    )

    # The coverage list no longer names the child; the kindergarten's list shows it visited.
    page.get_by_role("link", name="未走访").click()
    page.wait_for_url("**/portal/coverage/")
    assert page.locator(".item", has_text="孤儿甲").count() == 1
    assert page.locator(".item", has_text="仇小兰").count() == 0
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
