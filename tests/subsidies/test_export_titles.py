"""Issue 12: a file says the township (or school) and term it holds, in its title, its
填报单位 and its file name; the county only when it holds the county.

The workbooks are made through the export centre as each user would, downloaded and
opened back with openpyxl.
"""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aidsite.models import ExportJob, Role
from subsidies.exports.aid import entitlements_export
from subsidies.services.ledgers import batch_approve, batch_prepare
from tests.factories import make_township, make_user
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff

pytestmark = pytest.mark.django_db

TERM = "2022-2023学年秋季学期"


@pytest.fixture
def townships(term, township):
    """青山镇 (the officer's) and 白云镇, each with an approved batch."""
    other = make_township("白云镇")
    for place in (township, other):
        approved_entitlements(term=term, township=place, count=2)
        preparer, approver = two_staff(place)
        batch = batch_prepare(
            township=place, policy=policy_of(term), term=term, actor=preparer
        ).batch
        batch_approve(batch=batch, actor=approver)
    return township, other


def _export(client, user, kind, data):
    client.force_login(user)
    assert client.post(reverse("export_start", args=[kind]), data).status_code == 302
    job = ExportJob.objects.filter(owner=user, kind=kind).latest("pk")
    assert job.status == "done", job.error
    download = client.get(reverse("export_download", args=[job.pk]))
    name = unquote(download["Content-Disposition"])
    return job, name, b"".join(download.streaming_content)


def _sheet(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return sheet["A1"].value, sheet["A2"].value


def test_a_township_officers_workbooks_name_the_township_not_the_county(client, term, townships):
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=townships[0])
    cases = {
        "ledger": ({"term": term.pk}, f"青山镇{TERM}学生资助发放台账"),
        "ledger_funds": (
            {"school_year": term.school_year.pk},
            "青山镇2022-2023学年教育资助资金到村到户台账",
        ),
        "ledger_conflicts": ({"term": term.pk}, f"青山镇{TERM}学生资助重复资助排查表"),
    }
    for kind, (data, title) in cases.items():
        job, name, content = _export(client, staff, kind, data)
        assert job.title == title
        assert title in name and "全县" not in name
        assert _sheet(content) == (title, "填报单位：青山镇教育办公室")


def test_the_county_administrators_workbook_is_the_countys(client, term, townships):
    county = make_user(role=Role.COUNTY_ADMIN)
    job, name, content = _export(client, county, "ledger", {"term": term.pk})
    title, issuer = _sheet(content)
    assert title == job.title == f"全县{TERM}学生资助发放台账" and title in name
    assert issuer.startswith("填报单位：") and "镇" not in issuer
    # A chosen township is named whoever chooses it.
    job, name, content = _export(
        client, county, "ledger", {"term": term.pk, "township": townships[1].pk}
    )
    assert _sheet(content) == (f"白云镇{TERM}学生资助发放台账", "填报单位：白云镇教育办公室")


def test_a_township_officers_pdf_is_named_for_the_township(client, term, townships):
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=townships[0])
    job, name, content = _export(client, staff, "report_signsheet", {"term": term.pk})
    assert job.title == f"发放签领表 青山镇 {TERM}（PDF）"
    assert "我可见的全部" not in name and "青山镇" in name and content.startswith(b"%PDF")


def test_the_aid_list_of_a_township_officer_names_the_township_and_the_policy(term, townships):
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=townships[0])
    buffer = io.BytesIO()
    entitlements_export(buffer, term=term, policy_code="PRE-GRANT", actor=staff)
    title, issuer = _sheet(buffer.getvalue())
    assert title == f"青山镇{TERM}学生资助名单（学前教育政府助学金）"
    assert issuer == "填报单位：青山镇教办"
