"""SECURITY D5: no upload is left on disk, and files holding personal data are private (0600)."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from aidsite.models import ExportJob, ExportJobStatus, Role
from students.models import Season, Term
from students.uploads import PENDING_UPLOAD_MAX_AGE_SECONDS
from subsidies.services.ledgers import batch_approve, batch_prepare
from subsidies.services.policies import policies_seed_load
from tests.factories import (
    make_enrollment,
    make_school,
    make_school_year,
    make_student,
    make_township,
    make_user,
)
from tests.students.test_admin import FakeImportFileError, FakeReport
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff
from tests.subsidies.test_ledgers_views import _bank_upload

pytestmark = pytest.mark.django_db

IMPORT = "/admin/students/student/import/"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    # A typical server umask (022) would leave files world-readable without an explicit mode.
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def dry_run_importer(monkeypatch):
    """The real import page, with the importer replaced by one that records the pending file."""
    import sys
    import types

    seen: list[Path] = []

    def roster_import(*, kind, source, dry_run, township, actor):
        seen.append(Path(source))
        return FakeReport()

    module = types.ModuleType("students.importing")
    module.roster_import = roster_import
    module.ImportFileError = FakeImportFileError
    monkeypatch.setitem(sys.modules, "students.importing", module)
    return seen


def _upload(client, user):
    client.force_login(user)
    upload = SimpleUploadedFile("roster.xlsx", b"PK\x03\x04" + b"0" * 100)
    return client.post(IMPORT, {"action": "preview", "file": upload})


def test_an_abandoned_roster_upload_is_removed_by_the_daily_purge(client, dry_run_importer, settings):
    county = make_user(role=Role.COUNTY_ADMIN)
    assert _upload(client, county).status_code == 200
    (pending,) = dry_run_importer
    assert pending.exists()
    old = time.time() - PENDING_UPLOAD_MAX_AGE_SECONDS - 60
    os.utime(pending, (old, old))

    call_command("purge_exports")

    assert not pending.exists()


def test_the_purge_keeps_an_upload_still_waiting_for_its_confirmation(client, dry_run_importer):
    county = make_user(role=Role.COUNTY_ADMIN)
    _upload(client, county)
    (pending,) = dry_run_importer

    call_command("purge_exports")

    assert pending.exists()


def test_a_pending_upload_and_its_folder_are_private(client, dry_run_importer, open_umask):
    county = make_user(role=Role.COUNTY_ADMIN)
    _upload(client, county)
    (pending,) = dry_run_importer
    assert _mode(pending) == 0o600
    assert _mode(pending.parent) == 0o700


def test_an_export_file_and_its_folder_are_private(client, settings, open_umask):
    year = make_school_year("2022-2023")
    township = make_township("本镇")
    school = make_school(township=township, name="本镇中心小学")
    make_enrollment(student=make_student(name="张伟"), school=school, school_year=year)
    user = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    client.force_login(user)

    client.post(reverse("export_start", args=["student_roster"]), {"school_year": year.pk})

    job = ExportJob.objects.get(owner=user)
    assert job.status == ExportJobStatus.DONE
    path = Path(settings.MEDIA_ROOT) / job.file_path
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700


def test_a_bank_return_upload_leaves_nothing_on_disk(client, settings, tmp_path):
    # Force the upload to a temporary file, the way a large return file arrives.
    spool = tmp_path / "upload-tmp"
    spool.mkdir()
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(spool)
    year = make_school_year("2022-2023")
    policies_seed_load(school_year=year)
    term = Term.objects.get(school_year=year, season=Season.AUTUMN)
    township = make_township("青山镇")
    approved_entitlements(term=term, township=township, count=1)
    preparer, approver = two_staff(township)
    batch = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer).batch
    batch_approve(batch=batch, actor=approver)
    entry = batch.entries.select_related("student").get()
    client.force_login(preparer)

    response = client.post(
        reverse("ledgers:bank_upload", args=[batch.pk]),
        {"file": _bank_upload([[entry.student.id_number, 600, "成功", ""]]), "dry_run": "on"},
    )

    assert response.status_code == 200
    assert list(spool.iterdir()) == []
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or [p for p in media.rglob("*") if p.is_file()] == []
