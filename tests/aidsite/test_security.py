"""SECURITY.md A (access control), D4 and E3, shown against the running URLconf."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth.password_validation import (
    get_default_password_validators,
    validate_password,
)
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.debug import ExceptionReporter, get_exception_reporter_filter

from students.admin import StudentExportResource
from students.models import Student
from tests.factories import PASSWORD
from tests.scoped_world import ID_PATTERN_IN_HTML, build_world

pytestmark = pytest.mark.django_db

BASE_DIR = Path(django_settings.BASE_DIR)
PROJECT_DIRS = ["aidsite", "students", "subsidies", "campaigns", "templates"]
# The only pages an anonymous visitor may read (A1), by URL name: the login pages (the
# admin's and the directors' portal's). The public notice page adds its name here.
PUBLIC_URL_NAMES = {"login"}


@pytest.fixture
def world():
    return build_world()


# --- A1: deny by default ------------------------------------------------------------------

_ROUTE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_UNNAMED_GROUP = re.compile(r"\((?!\?)[^)]*\)")
_ADMIN_MODEL_PREFIX = re.compile(r"^admin/(\w+)/(\w+)/$")


def _url_patterns(patterns, prefix: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    """(prefix of the enclosing includes, own pattern text, pattern) for every leaf."""
    for pattern in patterns:
        text = str(pattern.pattern).lstrip("^").rstrip("$").replace("\\/", "/")
        if isinstance(pattern, URLResolver):
            yield from _url_patterns(pattern.url_patterns, prefix + text)
        else:
            yield prefix, text, pattern


def _value_for(name: str, prefix: str, world) -> str:
    """A real value for a URL parameter: the pk of an object of the model the URL is about."""
    model_match = _ADMIN_MODEL_PREFIX.match(prefix)
    if name in {"object_id", "id", "pk"} and model_match:
        model = next(
            (
                m
                for m in admin.site._registry
                if (m._meta.app_label, m._meta.model_name) == model_match.groups()
            ),
            None,
        )
        obj = model._default_manager.order_by("pk").first() if model else None
        return str(obj.pk) if obj else "1"
    return {
        "app_label": "students",
        "content_type_id": str(ContentType.objects.get_for_model(Student).pk),
        "object_id": str(world.student_a.pk),
        "url": "students/student/",
        "kind": "students",
        "token": "0" * 32,
    }.get(name, str(world.student_a.pk))


def _concrete_url(prefix: str, text: str, world) -> str:
    def named(name: str) -> str:
        return _value_for(name, prefix, world)

    own = _REGEX_PARAM.sub(lambda m: named(m.group(1)), text)
    own = _ROUTE_PARAM.sub(lambda m: named(m.group(2)), own)
    # Unnamed groups (django-simple-history's `<object>/history/<version>/`): object, then "1".
    values = iter([named("object_id")])
    own = _UNNAMED_GROUP.sub(lambda m: next(values, "1"), own)
    full = "/" + prefix + own
    if any(ch in full for ch in "()[]?*+\\"):
        raise AssertionError(f"cannot build a URL from {prefix + text!r}")
    return full


def _concrete_urls(world) -> dict[str, str | None]:
    """Every URL of the URLconf, with real keys, mapped to its pattern's name."""
    return {
        _concrete_url(prefix, text, world): pattern.name
        for prefix, text, pattern in _url_patterns(get_resolver().url_patterns)
    }


def test_no_url_answers_an_anonymous_visitor_except_the_login_pages(client, world):
    urls = _concrete_urls(world)
    assert len(urls) > 50  # the admin alone has dozens: the walk really walked
    answered = set()
    for url, name in sorted(urls.items()):
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200 and name not in PUBLIC_URL_NAMES:
            answered.add(url)
    assert answered == set()
    assert client.get("/admin/login/").status_code == 200


# --- A2: the role × endpoint matrix -------------------------------------------------------

ENDPOINTS = {
    "index": "/admin/",
    "students": "/admin/students/student/",
    "student_a": "/admin/students/student/{student_a}/change/",
    "student_b": "/admin/students/student/{student_b}/change/",
    "student_add": "/admin/students/student/add/",
    "student_delete_a": "/admin/students/student/{student_a}/delete/",
    "student_history_a": "/admin/students/student/{student_a}/history/",
    "student_export": "/admin/students/student/export/",
    "student_import": "/admin/students/student/import/",
    "households": "/admin/students/household/",
    "household_b": "/admin/students/household/{household_b}/change/",
    "enrollments": "/admin/students/enrollment/",
    "villages": "/admin/students/village/",
    "village_add": "/admin/students/village/add/",
    "village_import": "/admin/students/village/import/",
    "schools": "/admin/students/school/",
    "school_add": "/admin/students/school/add/",
    "school_import": "/admin/students/school/import/",
    "townships": "/admin/students/township/",
    "school_years": "/admin/students/schoolyear/",
    "users": "/admin/auth/user/",
    "staff_profiles": "/admin/aidsite/staffprofile/",
    "access_log": "/admin/aidsite/accesslog/",
}

_ROLES = ("county", "township", "director", "auditor", "anonymous")
# Expected status per endpoint for: county admin, township officer, director, auditor, anonymous.
MATRIX = {
    "index":             (200, 200, 200, 200, 302),
    "students":          (200, 200, 200, 200, 302),
    "student_a":         (200, 200, 200, 200, 302),
    "student_b":         (200, 404, 404, 200, 302),
    "student_add":       (200, 200, 403, 403, 302),
    "student_delete_a":  (200, 200, 403, 403, 302),
    "student_history_a": (200, 200, 200, 200, 302),
    "student_export":    (200, 200, 403, 200, 302),
    "student_import":    (200, 200, 403, 403, 302),
    "households":        (200, 200, 200, 200, 302),
    "household_b":       (200, 404, 404, 200, 302),
    "enrollments":       (200, 200, 200, 200, 302),
    "villages":          (200, 200, 403, 200, 302),
    "village_add":       (200, 200, 403, 403, 302),
    "village_import":    (200, 403, 403, 403, 302),
    "schools":           (200, 200, 200, 200, 302),
    "school_add":        (200, 403, 403, 403, 302),
    "school_import":     (200, 403, 403, 403, 302),
    "townships":         (200, 200, 403, 200, 302),
    "school_years":      (200, 200, 403, 200, 302),
    "users":             (200, 403, 403, 403, 302),
    "staff_profiles":    (200, 403, 403, 403, 302),
    "access_log":        (200, 403, 403, 200, 302),
}  # fmt: skip
CELLS = [
    (role, endpoint, statuses[i])
    for endpoint, statuses in MATRIX.items()
    for i, role in enumerate(_ROLES)
]


def _url(world, endpoint: str) -> str:
    return ENDPOINTS[endpoint].format(
        student_a=world.student_a.pk,
        student_b=world.student_b.pk,
        household_b=world.household_b.pk,
    )


def test_the_matrix_covers_every_endpoint():
    assert set(MATRIX) == set(ENDPOINTS)


@pytest.mark.parametrize(("role", "endpoint", "expected"), CELLS)
def test_role_endpoint_matrix(client, world, role, endpoint, expected):
    if role != "anonymous":
        client.force_login(world.user(role))
    response = client.get(_url(world, endpoint))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/admin/login/")


# --- A3: auditors are read-only -----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/students/student/{student_a}/change/",
        "/admin/students/student/{student_a}/delete/",
        "/admin/students/student/add/",
        "/admin/students/student/import/",
        "/admin/students/village/import/",
        "/admin/students/school/import/",
        "/admin/students/household/{household_a}/change/",
        "/admin/students/village/{village_a}/delete/",
    ],
)
def test_auditor_posts_are_forbidden(client, world, url):
    client.force_login(world.auditor)
    url = url.format(
        student_a=world.student_a.pk,
        household_a=world.household_a.pk,
        village_a=world.village_a.pk,
    )
    response = client.post(url, {"name": "改名", "post": "yes", "action": "preview"})
    assert response.status_code == 403
    world.student_a.refresh_from_db()
    assert world.student_a.name == "甲学生"


def test_auditors_hold_view_and_export_permissions_only(world):
    perms = {p.split(".", 1)[1] for p in world.auditor.get_all_permissions()}
    assert perms
    assert all(p.startswith(("view_", "export_")) for p in perms)


# --- A4: row-level scope ------------------------------------------------------------------


EXPORT_FIELDS = {
    f"studentexportresource_{name}": "on" for name in StudentExportResource.Meta.fields
}


def test_a_director_sees_none_of_another_schools_rows(client, world):
    client.force_login(world.director)
    body = client.get("/admin/students/student/").content.decode()
    assert "甲学生" in body and "乙学生" not in body
    assert client.get(f"/admin/students/student/{world.student_b.pk}/change/").status_code == 404
    searched = client.get("/admin/students/student/", {"q": "乙学生"}, follow=True)
    assert list(searched.context["cl"].result_list) == []
    # Directors have no export permission: their export holds nothing at all.
    assert (
        client.post("/admin/students/student/export/", {"format": "0", **EXPORT_FIELDS}).status_code
        == 403
    )


def test_a_township_export_holds_none_of_another_townships_rows(client, world):
    client.force_login(world.township_staff)
    response = client.post("/admin/students/student/export/", {"format": "1", **EXPORT_FIELDS})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "甲学生" in text and "乙学生" not in text
    assert world.student_b.id_number not in text


# --- A6: brute force ----------------------------------------------------------------------


def _login(client, username: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_the_login_form_locks_after_five_failures(world):
    client = Client()
    assert _login(client, "county", PASSWORD).status_code == 302  # the form really logs in
    client = Client()
    for _ in range(4):
        assert _login(client, "county", "wrong-password-123").status_code == 200
    assert _login(client, "county", "wrong-password-123").status_code == 429  # the fifth locks
    locked = _login(client, "county", PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The lock is per username and address: another account from here still logs in.
    assert _login(Client(), "auditor", PASSWORD).status_code == 302


# --- A7: sessions -------------------------------------------------------------------------


def test_sessions_end_after_at_most_eight_idle_hours(settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST  # the age counts from the last request: idle time


def test_a_password_change_ends_the_other_sessions(world):
    here, elsewhere = Client(), Client()
    assert _login(here, "township_a", PASSWORD).status_code == 302
    assert _login(elsewhere, "township_a", PASSWORD).status_code == 302
    assert elsewhere.get("/admin/").status_code == 200
    response = here.post(
        "/admin/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-42",
            "new_password2": "a-new-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert here.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302


# --- A8: CSRF everywhere ------------------------------------------------------------------


def _project_files(*suffixes: str) -> Iterator[Path]:
    for directory in PROJECT_DIRS:
        root = BASE_DIR / directory
        if root.is_dir():
            for path in root.rglob("*"):
                if path.suffix in suffixes and "migrations" not in path.parts:
                    yield path


def test_no_view_is_csrf_exempt(world):
    offenders = [
        str(path.relative_to(BASE_DIR))
        for path in _project_files(".py")
        if "csrf_exempt" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
    exempt = [
        prefix + text
        for prefix, text, pattern in _url_patterns(get_resolver().url_patterns)
        if getattr(pattern.callback, "csrf_exempt", False)
    ]
    assert exempt == []


def test_a_post_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.county)
    response = client.post(
        "/admin/students/village/add/", {"township": world.township_a.pk, "name": "新村"}
    )
    assert response.status_code == 403


# --- A9: deployment check -----------------------------------------------------------------


def test_the_deploy_check_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "zizhu.example.gov.cn",
        "SECURE_PRODUCTION": "1",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- A10: passwords -----------------------------------------------------------------------


def test_passwords_need_at_least_twelve_characters():
    lengths = [v.min_length for v in get_default_password_validators() if hasattr(v, "min_length")]
    assert lengths and min(lengths) >= 12
    with pytest.raises(ValidationError):
        validate_password("Short-pw-9x")  # 11 characters
    validate_password("correct-horse-battery-9")


# --- D4: no personal data in error reports ------------------------------------------------


def test_error_reports_hide_every_posted_value(world):
    request = RequestFactory().post(
        "/admin/students/student/add/",
        {"name": "甲学生", "id_number": world.student_a.id_number, "guardian_phone": "13611112222"},
    )
    request.user = world.county
    params = get_exception_reporter_filter(request).get_post_parameters(request)
    assert set(params) == {"name", "id_number", "guardian_phone"}
    assert all(set(value) == {"*"} for value in params.values())
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
    assert world.student_a.id_number not in report
    assert "13611112222" not in report


# --- E3: XSS --------------------------------------------------------------------------------


def test_pages_carry_a_content_security_policy(client, world):
    assert "default-src 'self'" in client.get("/admin/login/")["Content-Security-Policy"]
    client.force_login(world.county)
    assert "script-src 'self'" in client.get("/admin/")["Content-Security-Policy"]


def test_no_template_or_view_marks_user_data_safe():
    offenders = []
    for path in _project_files(".html", ".py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\|\s*safe\b", text) or "mark_safe(" in text:
            offenders.append(str(path.relative_to(BASE_DIR)))
    assert offenders == []


def test_user_text_is_escaped_on_admin_pages(client, world):
    Student.objects.filter(pk=world.student_a.pk).update(name="<script>alert(1)</script>")
    client.force_login(world.county)
    body = client.get("/admin/students/student/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_no_response_for_a_director_matches_an_id_number(client, world):
    client.force_login(world.director)
    for url in [_url(world, e) for e in ("index", "students", "student_a", "households")]:
        assert re.search(ID_PATTERN_IN_HTML, client.get(url).content.decode()) is None
