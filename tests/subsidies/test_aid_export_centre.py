"""资助名单 in the export centre: the auditor's workbook, the same columns as `manage.py export_aid`."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aidsite.models import AccessLog, ExportJob, Role
from subsidies.exports.aid import ENTITLEMENT_HEADER
from tests.factories import make_school, make_township, make_user
from tests.subsidies.ledger_factories import approved_entitlements

pytestmark = pytest.mark.django_db


def _download(client, job) -> list[tuple]:
    response = client.get(reverse("export_download", args=[job.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _table(rows: list[tuple]) -> tuple[tuple, list[tuple]]:
    """The header row (the one that starts with 序号) and the data rows under it, totals left out."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == "序号")
    data = [row for row in rows[start + 1 :] if isinstance(row[0], int)]
    return rows[start], data


def test_the_auditor_exports_the_aid_list_with_the_commands_columns(client, term, township):
    listed = approved_entitlements(
        term=term, township=township, count=3, names=["张一", "张二", "张三"]
    )
    elsewhere = approved_entitlements(
        term=term, township=make_township("白水镇"), count=2, names=["李一", "李二"]
    )
    auditor = make_user(role=Role.AUDITOR)
    client.force_login(auditor)
    assert "资助名单（xlsx）" in client.get(reverse("export_centre")).content.decode()

    response = client.post(
        reverse("export_start", args=["aid_list"]), {"term": term.pk, "township": township.pk}
    )
    assert response.status_code == 302
    job = ExportJob.objects.get(owner=auditor)
    assert job.status == "done" and job.row_count == len(listed), job.error
    assert job.title == "青山镇2022-2023学年秋季学期学生资助名单"

    header, data = _table(_download(client, job))
    assert header[: len(ENTITLEMENT_HEADER)] == ENTITLEMENT_HEADER
    assert sorted(row[1] for row in data) == ["张一", "张三", "张二"]
    assert {row[3] for row in data} == {"青山镇"}
    assert not {e.student.name for e in elsewhere} & {row[1] for row in data}
    # One export, one log entry (the centre's), and the download logged again.
    assert AccessLog.objects.filter(user=auditor, action="export").count() == 1
    assert AccessLog.objects.filter(user=auditor, action="download").count() == 1


def test_a_township_officer_exports_only_their_township(client, term, township):
    approved_entitlements(term=term, township=township, count=2)
    approved_entitlements(term=term, township=make_township("白水镇"), count=4)
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    client.force_login(officer)
    client.post(reverse("export_start", args=["aid_list"]), {"term": term.pk})
    job = ExportJob.objects.get(owner=officer)
    assert job.status == "done" and job.row_count == 2, job.error
    _header, data = _table(_download(client, job))
    assert {row[3] for row in data} == {"青山镇"}


def test_a_director_is_not_offered_the_aid_list(client, term, township):
    director = make_user(role=Role.DIRECTOR, school=make_school(township=township))
    client.force_login(director)
    assert (
        client.post(reverse("export_start", args=["aid_list"]), {"term": term.pk}).status_code
        == 403
    )
