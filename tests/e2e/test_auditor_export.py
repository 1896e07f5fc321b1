"""The auditor in the browser: log in, export the aid list (资助名单) from the export centre,
download the workbook."""

from __future__ import annotations

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aidsite.models import Role
from tests.factories import PASSWORD, make_township, make_user
from tests.subsidies.ledger_factories import approved_entitlements
from tests.world import aid_term

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def audited():  # type: ignore[no-untyped-def]
    term = aid_term()
    approved_entitlements(
        term=term, township=make_township("青山镇"), count=3, names=["张一", "张二", "张三"]
    )
    make_user(role=Role.AUDITOR, username="county_auditor")
    return term


def test_the_auditor_exports_the_aid_list_and_downloads_it(
    desktop, portal_server, audited, tmp_path
):
    page = desktop
    page.goto(portal_server.url + reverse("export_centre"))
    page.get_by_label("用户名").fill("county_auditor")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/exports/**")

    form = page.locator("form.export-start").filter(has_text="资助名单（xlsx）")
    # The term picker opens on the term that has a list, as it comes.
    assert "2022-2023" in form.get_by_label("学期").locator("option:checked").inner_text()
    form.get_by_role("button", name="开始导出").click()
    page.get_by_text("已提交").wait_for()
    row = page.locator("tr.export-job").filter(has_text="学生资助名单")
    page.screenshot(path="/tmp/export_centre_aid.png", full_page=True)
    with page.expect_download() as info:
        row.get_by_role("link", name="下载").click()
    download = info.value
    assert (
        download.suggested_filename.endswith(".xlsx") and "资助名单" in download.suggested_filename
    )
    saved = tmp_path / "aid.xlsx"
    download.save_as(saved)
    values = [c for row in load_workbook(saved).active.iter_rows(values_only=True) for c in row]
    assert {"张一", "张二", "张三"} <= set(values) and "身份证号" in values
