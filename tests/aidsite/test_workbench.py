"""The admin index opens with the office's daily work: links to the purpose-built pages each role may use."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aidsite.models import Role
from tests.factories import make_township, make_user

pytestmark = pytest.mark.django_db

LINKS = {
    "aid": ("资助名单", "/aid/"),
    "notices": ("资助公示", "/notices/"),
    "ledgers": ("发放台账", "/ledgers/"),
    "exports": ("导出中心", "/exports/"),
}


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.COUNTY_ADMIN, {"aid", "notices", "ledgers", "exports"}),
        (Role.TOWNSHIP_STAFF, {"aid", "notices", "ledgers", "exports"}),
        (Role.AUDITOR, {"notices", "ledgers", "exports"}),
    ],
)
def test_each_role_sees_the_pages_it_may_use(client, role, shown):
    township = make_township() if role == Role.TOWNSHIP_STAFF else None
    client.force_login(make_user(role=role, township=township))
    page = client.get(reverse("admin:index")).content.decode()
    workbench = page[page.index('id="workbench-module"') : page.index("</table>", page.index('id="workbench-module"'))]
    for key, (label, url) in LINKS.items():
        assert (f'href="{url}">{label}</a>' in workbench) == (key in shown), key
