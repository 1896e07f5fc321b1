"""Production serving, for real: gunicorn with deploy/gunicorn.conf.py, whitenoise and the
supervised task worker, DEBUG off, on a free 127.0.0.1 port against a fresh database (a
SQLite file, or on the PostgreSQL run a database of its own in the test cluster).

Requests carry X-Forwarded-Proto: https, as nginx sends them (deploy/nginx-zizhu.conf), so
the production security settings apply unchanged. Every wait polls against a deadline
and the processes are always stopped.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.templatetags.static import static

from aidsite.lib import pdf
from aidsite.lib.pdf import static_file_for_url
from tests.factories import PASSWORD, make_id_number

BASE_DIR = Path(django_settings.BASE_DIR)
PRODUCTION_STORAGE = {"BACKEND": "aidsite.staticfiles.StaticFilesStorage"}
ONE_YEAR = 365 * 24 * 3600
DEADLINE = 30.0

SETUP_DATA = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from aidsite.models import Role, StaffProfile
from students.school_years import school_year_open
from tests.factories import make_enrollment, make_school, make_student
user = get_user_model().objects.create_user("serving_county", password="{PASSWORD}", is_staff=True)
user.groups.add(Group.objects.get(name=str(Role.COUNTY_ADMIN.label)))
StaffProfile.objects.create(user=user, role=Role.COUNTY_ADMIN)
year, _ = school_year_open(name="2022-2023")
make_enrollment(student=make_student(name="张伟"), school=make_school(name="服务测试小学"), school_year=year)
print(year.pk)
"""

# `collectstatic` with the production storage, less its brotli copies: brotli at its
# highest quality is most of collectstatic's time, and whitenoise's to test, not ours.
COLLECT_WITHOUT_BROTLI = """
import os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidsite.settings")
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from aidsite.staticfiles import StaticFilesStorage

class WithoutBrotli(StaticFilesStorage):
    def create_compressor(self, **kwargs):
        return super().create_compressor(use_brotli=False, **kwargs)

storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "__main__.WithoutBrotli"}}
with override_settings(STORAGES=storages):
    call_command("collectstatic", interactive=False, verbosity=0)
"""


def _start(args: list[str], env: dict[str, str], *, script: bool = False) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *([] if script else ["manage.py"]), *args],
        cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _finish(process: subprocess.Popen) -> str:
    try:
        output, _ = process.communicate(timeout=120)
    finally:
        _stop(process)
    assert process.returncode == 0, output
    return output


def _run(args: list[str], env: dict[str, str]) -> str:
    return _finish(_start(args, env))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    """A STATIC_ROOT filled by `collectstatic` with the production storage."""
    root = tmp_path_factory.mktemp("static") / "root"
    env = {**os.environ, "STATIC_ROOT": str(root), "DEBUG": "0"}
    _finish(_start(["-c", COLLECT_WITHOUT_BROTLI], env, script=True))
    return root


@contextmanager
def _fresh_database(work: Path) -> Iterator[str]:
    """The URL of an empty database, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{work / 'db.sqlite3'}"
        return
    import psycopg

    name = f"serving_{secrets.token_hex(4)}"
    # libpq reads the DATABASE_URL form itself ("postgres://aid@/aid?host=/tmp/…").
    admin = psycopg.connect(url, autocommit=True)
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@dataclass
class Served:
    port: int
    access_log: Path
    school_year: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, data: dict | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=DEADLINE)
        origin = f"https://127.0.0.1:{self.port}"
        sent = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            sent.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + path})
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, value = cookie.split(";", 1)[0].split("=", 1)
                self.cookies[name] = value
            return response.status, {k.lower(): v for k, v in response.getheaders()}, content
        finally:
            connection.close()

    def get(self, path: str, **kwargs) -> tuple[int, dict[str, str], bytes]:  # type: ignore[no-untyped-def]
        return self.request("GET", path, **kwargs)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def served(request, tmp_path_factory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("served")
    with _fresh_database(work) as database_url:
        yield from _serve(request, work, database_url)


def _serve(request, work: Path, database_url: str) -> Iterator[Served]:  # type: ignore[no-untyped-def]
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECURE_PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(work / "media"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    env.pop("TASKS_BACKEND", None)
    # Migrating and collecting the static files are independent: side by side.
    migrating = _start(["migrate", "--noinput"], env)
    try:
        env["STATIC_ROOT"] = str(request.getfixturevalue("collected"))
    except BaseException:
        _stop(migrating)
        raise
    _finish(migrating)
    school_year = int(_run(["shell", "-c", SETUP_DATA], env).split()[-1])

    access_log = work / "gunicorn.out"
    gunicorn = [str(Path(sys.executable).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py"]
    worker = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]
    processes = []
    with access_log.open("wb") as out, (work / "gunicorn.err").open("wb") as err:
        try:
            processes.append(subprocess.Popen(worker, cwd=BASE_DIR, env=env, stdout=err, stderr=err))
            processes.append(subprocess.Popen(gunicorn, cwd=BASE_DIR, env=env, stdout=out, stderr=err))
            site = Served(port=port, access_log=access_log, school_year=school_year)
            deadline = time.monotonic() + DEADLINE
            while True:
                assert all(p.poll() is None for p in processes), (work / "gunicorn.err").read_text()
                try:
                    site.get("/admin/login/")
                    break
                except OSError:
                    assert time.monotonic() < deadline, "gunicorn did not answer"
                    time.sleep(0.1)
            yield site
        finally:
            for process in processes:
                _stop(process)


def _poll(check, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + DEADLINE
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_the_admin_login_page_links_its_hashed_css_with_far_future_caching(served):
    status, _, page = served.get("/admin/login/")
    assert status == 200
    css = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page.decode())
    assert css, page.decode()[:2000]

    status, headers, body = served.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-type"].startswith("text/css")
    assert headers.get("content-encoding") == "gzip"
    max_age = int(re.search(r"max-age=(\d+)", headers["cache-control"]).group(1))
    assert max_age >= ONE_YEAR


def test_htmx_loads_on_the_directors_portal(served):
    status, _, page = served.get("/portal/login/")
    assert status == 200
    script = re.search(r'src="(/static/vendor/htmx/htmx\.min\.[0-9a-f]{12}\.js)"', page.decode())
    assert script, page.decode()[:2000]
    status, headers, body = served.get(script.group(1))
    assert status == 200
    assert "javascript" in headers["content-type"]
    assert b"htmx" in body[:2000]


def test_an_export_job_started_in_the_app_completes_through_the_worker(served):
    served.get("/admin/login/")
    status, headers, _ = served.request(
        "POST",
        "/admin/login/?next=/exports/",
        data={
            "username": "serving_county",
            "password": PASSWORD,
            "csrfmiddlewaretoken": served.cookies["csrftoken"],
            "next": "/exports/",
        },
    )
    assert status == 302 and headers["location"] == "/exports/"

    status, headers, _ = served.request(
        "POST",
        "/exports/start/student_roster/",
        data={"school_year": served.school_year, "csrfmiddlewaretoken": served.cookies["csrftoken"]},
    )
    assert status == 302, headers

    def download_link() -> str | None:
        _, _, page = served.get("/exports/")
        found = re.search(r'href="(/exports/\d+/download/)"', page.decode())
        return found.group(1) if found else None

    status, headers, workbook = served.get(_poll(download_link, "the job to finish"))
    assert status == 200
    assert workbook[:2] == b"PK"  # an xlsx is a zip archive


def test_the_access_log_masks_id_numbers_and_phones(served):
    id_number, phone = make_id_number(), "13912345678"
    status, _, page = served.get(f"/gongshi/{id_number}/?q={phone}")
    assert status == 404
    assert "此公示不存在" in page.decode()

    line = _poll(
        lambda: next((x for x in served.access_log.read_text().splitlines() if "/gongshi/" in x), None),
        "the access log line",
    )
    assert id_number not in line and phone not in line
    assert "*" in line  # masked in place, not dropped (aidsite.logging decides the form)


def test_reports_find_their_collected_hashed_static_files(settings, collected):
    settings.STATIC_ROOT = collected
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PRODUCTION_STORAGE}
    url = static("reports/print.css")
    assert re.fullmatch(r"/static/reports/print\.[0-9a-f]{12}\.css", url)

    path = static_file_for_url(urljoin(pdf.PDF_BASE_URL, url))

    assert path is not None and path.read_bytes() == (BASE_DIR / "static/reports/print.css").read_bytes()


def test_a_file_missing_from_the_manifest_links_its_plain_name(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "never-collected"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PRODUCTION_STORAGE}
    assert static("portal/portal.css") == "/static/portal/portal.css"
