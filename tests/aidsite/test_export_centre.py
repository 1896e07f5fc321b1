import datetime as dt
import io
import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from aidsite import export_jobs
from aidsite.export_jobs import (
    EXPORT_KINDS,
    ExportError,
    ExportKind,
    export_job_start,
    export_jobs_purge,
)
from aidsite.models import AccessAction, AccessLog, ExportJob, ExportJobStatus, Role, StaffProfile
from students.exports import student_roster_xlsx
from tests.factories import (
    PASSWORD,
    make_enrollment,
    make_school,
    make_school_year,
    make_student,
    make_township,
    make_user,
)

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def township_setup():
    year = make_school_year("2022-2023")
    home, other = make_township("本镇"), make_township("邻镇")
    school = make_school(township=home, name="本镇中心小学")
    other_school = make_school(township=other, name="邻镇中心小学")
    mine = [
        make_enrollment(student=make_student(name=name), school=school, school_year=year, grade="三年级")
        for name in ("张伟", "=HYPERLINK(\"http://x\")", "李娜")
    ]
    theirs = make_enrollment(student=make_student(name="赵敏"), school=other_school, school_year=year)
    return {"year": year, "home": home, "school": school, "mine": mine, "theirs": theirs}


def _masked_township_user(township):
    """Township scope and the export permission, but not the one that reveals full IDs."""
    user = get_user_model().objects.create_user(username="masked", password=PASSWORD, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="export_student"))
    StaffProfile.objects.create(user=user, role=Role.TOWNSHIP_STAFF, township=township)
    return user


def _start_roster(client, user, year, school=None):
    client.force_login(user)
    data = {"school_year": year.pk}
    if school is not None:
        data["school"] = school.pk
    return client.post(reverse("export_start", args=["student_roster"]), data)


def _workbook_rows(response):
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]


def test_it_runs_the_roster_job_and_the_owner_downloads_only_their_scope(client, township_setup):
    user = make_user(role=Role.TOWNSHIP_STAFF, township=township_setup["home"])

    response = _start_roster(client, user, township_setup["year"])

    assert response.status_code == 302
    job = ExportJob.objects.get(owner=user)
    assert job.status == ExportJobStatus.DONE
    assert job.progress == 100
    assert job.row_count == 3
    assert job.file_path.startswith("exports/") and job.file_path.endswith(".xlsx")
    download = client.get(reverse("export_download", args=[job.pk]))
    assert download.status_code == 200
    rows = _workbook_rows(download)
    names = [row[1] for row in rows[2:]]
    assert sorted(names) == sorted(["张伟", "'=HYPERLINK(\"http://x\")", "李娜"])
    assert "赵敏" not in names
    # Township staff may see full ID numbers; they are text cells.
    ids = [row[3] for row in rows[2:]]
    assert all(isinstance(value, str) and FULL_ID.fullmatch(value) for value in ids)


def test_ids_are_masked_for_a_user_who_may_not_reveal_them(client, township_setup):
    user = _masked_township_user(township_setup["home"])

    _start_roster(client, user, township_setup["year"])

    job = ExportJob.objects.get(owner=user)
    rows = _workbook_rows(client.get(reverse("export_download", args=[job.pk])))
    assert len(rows) == 2 + 3
    for row in rows[2:]:
        assert not FULL_ID.search(" ".join(str(value) for value in row if value is not None))
        assert "*" in row[3]


def test_the_export_and_each_download_go_to_the_access_log(client, township_setup):
    user = make_user(role=Role.TOWNSHIP_STAFF, township=township_setup["home"])
    _start_roster(client, user, township_setup["year"])
    job = ExportJob.objects.get(owner=user)

    client.get(reverse("export_download", args=[job.pk]))
    client.get(reverse("export_download", args=[job.pk]))

    entries = AccessLog.objects.filter(user=user)
    assert entries.filter(action=AccessAction.EXPORT, row_count=3).count() == 1
    assert entries.filter(action=AccessAction.DOWNLOAD, detail__export_job=job.pk).count() == 2


def test_nobody_else_sees_or_downloads_a_users_job(client, township_setup):
    owner = make_user(role=Role.TOWNSHIP_STAFF, township=township_setup["home"])
    _start_roster(client, owner, township_setup["year"])
    job = ExportJob.objects.get(owner=owner)
    county_admin = make_user(role=Role.COUNTY_ADMIN)
    client = Client()

    client.force_login(county_admin)
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404
    assert client.get(reverse("export_job_row", args=[job.pk])).status_code == 404
    assert job.title not in client.get(reverse("export_centre")).content.decode()
    assert not AccessLog.objects.filter(user=county_admin, action=AccessAction.DOWNLOAD).exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, township_setup):
    owner = make_user(role=Role.TOWNSHIP_STAFF, township=township_setup["home"])
    _start_roster(client, owner, township_setup["year"])
    job = ExportJob.objects.get(owner=owner)
    client.logout()

    for url in (
        reverse("export_centre"),
        reverse("export_job_row", args=[job.pk]),
        reverse("export_download", args=[job.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


def test_a_user_without_the_export_permission_cannot_start_the_job(client, township_setup):
    director = make_user(role=Role.DIRECTOR, school=township_setup["school"])

    response = _start_roster(client, director, township_setup["year"])

    assert response.status_code == 403
    assert not ExportJob.objects.exists()
    assert "学生名册（xlsx）" not in client.get(reverse("export_centre")).content.decode()


def test_a_school_outside_the_users_scope_is_refused(client, township_setup):
    user = make_user(role=Role.TOWNSHIP_STAFF, township=township_setup["home"])

    response = _start_roster(client, user, township_setup["year"], school=township_setup["theirs"].school)

    assert response.status_code == 400
    assert not ExportJob.objects.exists()


def test_the_centre_lists_jobs_and_polls_only_running_ones(client, township_setup):
    user = make_user(role=Role.TOWNSHIP_STAFF, township=township_setup["home"])
    _start_roster(client, user, township_setup["year"])
    done = ExportJob.objects.get(owner=user)
    running = ExportJob.objects.create(
        owner=user,
        kind="student_roster",
        title="学生名册 进行中",
        status=ExportJobStatus.RUNNING,
        progress=40,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )

    page = client.get(reverse("export_centre")).content.decode()
    row = client.get(reverse("export_job_row", args=[running.pk])).content.decode()
    done_row = client.get(reverse("export_job_row", args=[done.pk])).content.decode()

    assert "导出中心" in page and "vendor/htmx/htmx.min.js" in page
    assert reverse("export_download", args=[done.pk]) in page
    assert 'hx-trigger="every 2s"' in row and 'value="40"' in row
    assert "hx-trigger" not in done_row


def test_expired_files_are_deleted_by_the_command_and_on_listing(client, township_setup, settings):
    user = make_user(role=Role.TOWNSHIP_STAFF, township=township_setup["home"])
    _start_roster(client, user, township_setup["year"])
    _start_roster(client, user, township_setup["year"])
    first, second = ExportJob.objects.filter(owner=user).order_by("pk")
    paths = [settings.MEDIA_ROOT / job.file_path for job in (first, second)]
    assert all(path.exists() for path in paths)
    ExportJob.objects.filter(pk=first.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    call_command("purge_exports", stdout=io.StringIO())

    first.refresh_from_db()
    assert first.status == ExportJobStatus.EXPIRED and not first.file_path
    assert not paths[0].exists() and paths[1].exists()
    assert client.get(reverse("export_download", args=[first.pk])).status_code == 404

    ExportJob.objects.filter(pk=second.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client.get(reverse("export_centre"))
    assert not paths[1].exists()
    assert ExportJob.objects.get(pk=second.pk).status == ExportJobStatus.EXPIRED


def test_files_expire_after_the_retention_days(township_setup, settings):
    settings.EXPORT_RETENTION_DAYS = 3
    user = make_user(role=Role.TOWNSHIP_STAFF, township=township_setup["home"])

    job = export_job_start(
        user=user, kind="student_roster", parameters={"school_year": township_setup["year"].pk, "school": None}
    )

    assert job.expires_at - job.finished_at == dt.timedelta(days=3)
    assert export_jobs_purge(now=job.finished_at + dt.timedelta(days=2)) == 0
    assert export_jobs_purge(now=job.finished_at + dt.timedelta(days=3)) == 1


def test_purge_removes_abandoned_files_no_job_points_at(settings):
    folder = settings.MEDIA_ROOT / "exports"
    folder.mkdir(parents=True)
    old, fresh = folder / "old.xlsx", folder / "fresh.xlsx"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    two_days_ago = (timezone.now() - dt.timedelta(days=2)).timestamp()
    os.utime(old, (two_days_ago, two_days_ago))

    export_jobs_purge()

    assert not old.exists() and fresh.exists()


class _FailsForTheUser(ExportKind):
    identifier = "broken"
    label = "坏任务"
    permission = "students.export_student"

    def run(self, **kwargs):
        raise ExportError("所选学年没有数据。")


class _Crashes(_FailsForTheUser):
    def run(self, **kwargs):
        raise RuntimeError("secret 110105194912310021")


@pytest.mark.parametrize(
    ("function", "message"),
    [(_FailsForTheUser, "所选学年没有数据。"), (_Crashes, export_jobs.GENERIC_FAILURE)],
)
def test_a_failed_job_shows_a_chinese_message_and_leaves_no_file(monkeypatch, settings, function, message):
    monkeypatch.setitem(
        EXPORT_KINDS,
        "broken",
        function(),
    )
    user = make_user(role=Role.COUNTY_ADMIN)

    job = export_job_start(user=user, kind="broken", parameters={})

    assert job.status == ExportJobStatus.FAILED
    assert job.error == message
    assert not job.file_path
    assert not list((settings.MEDIA_ROOT / "exports").glob("*"))
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_a_job_runs_only_once(township_setup):
    user = make_user(role=Role.TOWNSHIP_STAFF, township=township_setup["home"])
    job = export_job_start(
        user=user, kind="student_roster", parameters={"school_year": township_setup["year"].pk, "school": None}
    )

    export_jobs.export_job_run(job_id=job.pk)

    assert ExportJob.objects.get(pk=job.pk).file_path == job.file_path
    assert AccessLog.objects.filter(action=AccessAction.EXPORT).count() == 1


def test_the_roster_runs_a_constant_number_of_queries(django_assert_max_num_queries, township_setup):
    user = make_user(role=Role.COUNTY_ADMIN)
    for _ in range(30):
        make_enrollment(school=township_setup["school"], school_year=township_setup["year"])

    with django_assert_max_num_queries(6):
        rows = student_roster_xlsx(
            user=user,
            parameters={"school_year": township_setup["year"].pk, "school": None},
            out=io.BytesIO(),
            progress=lambda percent: None,
        )
    assert rows == 34
