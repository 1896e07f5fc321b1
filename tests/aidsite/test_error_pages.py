"""Error pages are Chinese and in the look of the area: staff, the directors' portal, the public."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.template import loader
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone

from aidsite import urls as root_urls
from aidsite.errors import page_not_found, permission_denied
from aidsite.models import Role
from students.models import HouseholdCategory, Stage
from subsidies.services.entitlements import entitlements_compute
from subsidies.services.notices import notice_publish, notice_withdraw
from tests.campaigns.conftest import world  # noqa: F401  (shared fixture)
from tests.factories import make_school, make_user
from tests.subsidies.conftest import kids, term, township  # noqa: F401  (shared fixtures)
from tests.subsidies.ledger_factories import policy_of

pytestmark = pytest.mark.django_db

# Words of Django's own English error pages; none may reach a user.
ENGLISH = re.compile(r"Not Found|Forbidden|Bad Request|Server Error|CSRF|requested resource", re.I)


def _broken(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("boom")


def _suspicious(request):  # type: ignore[no-untyped-def]
    raise SuspiciousOperation("tampered")


# The root URLconf with two views that fail on purpose, and its error handlers.
urlpatterns = [
    path("admin/broken/", _broken),
    path("portal/broken/", _broken),
    path("admin/suspicious/", _suspicious),
    *root_urls.urlpatterns,
]
handler400 = root_urls.handler400
handler403 = root_urls.handler403
handler404 = root_urls.handler404
handler500 = root_urls.handler500


def _page(response) -> str:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    assert not ENGLISH.search(html), html
    assert '<html lang="zh-CN">' in html
    return html


@pytest.fixture
def withdrawn_notice(term, township, kids):  # noqa: F811
    school = kids.school(Stage.KINDERGARTEN, name="青山镇阳光幼儿园")
    kids(school, categories=(HouseholdCategory.REGISTERED,), poor=True, name="孙小雨", grade="中班")
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    entitlements_compute(term=term, township=township, policy_code="PRE-GRANT", actor=staff)
    notice = notice_publish(
        school=school, policy=policy_of(term), term=term, start_date=timezone.localdate(), actor=staff
    )
    return notice_withdraw(notice=notice, actor=staff, reason="名单有误")


def test_a_withdrawn_notice_is_a_chinese_404_for_the_public(client, withdrawn_notice):
    response = client.get(f"/gongshi/{withdrawn_notice.token}/")

    assert response.status_code == 404
    html = _page(response)
    assert "此公示不存在或已结束" in html and "撤回" in html
    # The public gets a plain page: no way into the staff site or the portal.
    assert 'href="/admin/"' not in html and 'href="/portal/"' not in html


def test_an_unknown_notice_code_is_the_same_chinese_404(client):
    response = client.get("/gongshi/no-such-notice/")
    assert response.status_code == 404
    assert "此公示不存在或已结束" in _page(response)


def test_a_missing_staff_page_is_a_chinese_404_with_the_way_back_to_the_admin(client):
    response = client.get("/exports/999999/row/nope/")
    assert response.status_code == 404
    html = _page(response)
    assert "页面不存在" in html and 'href="/admin/"' in html


def test_a_director_on_a_staff_page_gets_the_chinese_403(client):
    director = make_user(role=Role.DIRECTOR, school=make_school(stages=Stage.KINDERGARTEN))
    client.force_login(director)

    response = client.get(reverse("admin:students_student_add"))

    assert response.status_code == 403
    html = _page(response)
    assert "没有权限打开此页面" in html and 'href="/admin/"' in html


def test_a_refusal_on_the_portal_offers_the_way_back_to_the_portal(client, world):  # noqa: F811
    client.force_login(world.users["township"])

    response = client.get(reverse("campaigns:activity_new", args=[world.school_a.pk]))

    assert response.status_code == 403
    html = _page(response)
    assert "没有权限打开此页面" in html and 'href="/portal/"' in html and 'href="/admin/"' not in html


def test_a_chinese_reason_is_shown_and_djangos_english_one_is_not(rf):
    request = rf.get("/aid/")
    shown = permission_denied(request, PermissionDenied("只能打印本乡镇的报表。")).content.decode()
    hidden = permission_denied(request, PermissionDenied("Forbidden by policy")).content.decode()
    no_term = page_not_found(rf.get("/portal/"), Http404("尚未设置学期。")).content.decode()
    query = page_not_found(request, Http404("No Student matches the given query.")).content.decode()

    assert "只能打印本乡镇的报表。" in shown and "尚未设置学期。" in no_term
    assert "policy" not in hidden and "matches" not in query


def test_a_form_posted_without_its_csrf_token_gets_the_chinese_page(world):  # noqa: F811
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("campaigns:login"), {"username": "director_a", "password": "x"})

    assert response.status_code == 403
    html = _page(response)
    assert "页面已过期" in html and 'href="/portal/login/"' in html


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("url", "back"), [("/admin/broken/", "/admin/"), ("/portal/broken/", "/portal/")])
def test_a_server_error_is_a_chinese_500_in_the_areas_look(url, back):
    client = Client(raise_request_exception=False)

    response = client.get(url)

    assert response.status_code == 500
    html = _page(response)
    assert "系统出错了" in html and f'href="{back}"' in html


@pytest.mark.urls(__name__)
def test_a_suspicious_request_is_a_chinese_400():
    response = Client().get("/admin/suspicious/")

    assert response.status_code == 400
    assert "请求有误" in _page(response)


@pytest.mark.parametrize("name", ["400.html", "403.html", "404.html", "500.html", "403_csrf.html"])
def test_every_error_page_renders_with_an_empty_context_and_no_database(name, django_assert_num_queries):
    with django_assert_num_queries(0):
        html = loader.get_template(name).render({})

    assert '<html lang="zh-CN">' in html and not ENGLISH.search(html)
