"""Row-level scope in the back office (SECURITY A4): lists, pages, search, choices, filters."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser

from aidsite.access import scope_queryset
from students.models import Enrollment, Household, School, SchoolYear, Student, Term, Village
from tests.factories import make_school, make_village
from tests.scoped_world import build_world

pytestmark = pytest.mark.django_db

STUDENTS = "/admin/students/student/"


@pytest.fixture
def world():
    return build_world()


def _listed(client, url: str, **params) -> set[str]:
    response = client.get(url, {"all": "", **params})
    assert response.status_code == 200
    return {str(obj.pk) for obj in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("county", {"student_a", "student_b"}),
        ("auditor", {"student_a", "student_b"}),
        ("township", {"student_a"}),
        ("director", {"student_a"}),
    ],
)
def test_each_role_lists_exactly_its_scope(client, world, role, expected):
    client.force_login(world.user(role))
    assert _listed(client, STUDENTS) == {str(getattr(world, name).pk) for name in expected}


def test_the_registry_lists_of_a_township_officer_stop_at_the_township(client, world):
    client.force_login(world.township_staff)
    assert _listed(client, "/admin/students/household/") == {str(world.household_a.pk)}
    assert _listed(client, "/admin/students/village/") == {str(world.village_a.pk)}
    assert _listed(client, "/admin/students/school/") == {str(world.school_a.pk)}
    assert _listed(client, "/admin/students/enrollment/") == {str(world.enrollment_a.pk)}
    assert _listed(client, "/admin/students/township/") == {str(world.township_a.pk)}


def test_a_director_sees_only_their_school(client, world):
    client.force_login(world.director)
    assert _listed(client, "/admin/students/school/") == {str(world.school_a.pk)}
    assert _listed(client, "/admin/students/household/") == {str(world.household_a.pk)}
    assert _listed(client, "/admin/students/enrollment/") == {str(world.enrollment_a.pk)}


@pytest.mark.parametrize("role", ["township", "director"])
@pytest.mark.parametrize(
    "url",
    [
        "/admin/students/student/{student_b}/change/",
        "/admin/students/student/{student_b}/history/",
        "/admin/students/household/{household_b}/change/",
        "/admin/students/enrollment/{enrollment_b}/change/",
        "/admin/students/school/{school_b}/change/",
    ],
)
def test_objects_outside_the_scope_are_404(client, world, role, url):
    client.force_login(world.user(role))
    url = url.format(
        student_b=world.student_b.pk,
        household_b=world.household_b.pk,
        enrollment_b=world.enrollment_b.pk,
        school_b=world.school_b.pk,
    )
    assert client.get(url).status_code == 404


def test_a_township_officer_cannot_delete_another_townships_student(client, world):
    client.force_login(world.township_staff)
    url = f"{STUDENTS}{world.student_b.pk}/delete/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"post": "yes"}).status_code == 404
    assert Student.objects.filter(pk=world.student_b.pk).exists()


def test_bulk_delete_ignores_rows_outside_the_scope(client, world):
    client.force_login(world.township_staff)
    client.post(
        STUDENTS,
        {"action": "delete_selected", "_selected_action": [world.student_b.pk], "post": "yes"},
    )
    assert Student.objects.filter(pk=world.student_b.pk).exists()


def test_a_form_posting_another_townships_household_is_refused(client, world):
    client.force_login(world.township_staff)
    response = client.post(
        f"{STUDENTS}{world.student_a.pk}/change/",
        {
            "name": world.student_a.name,
            "id_number": world.student_a.id_number,
            "household": world.household_b.pk,
            "enrollments-TOTAL_FORMS": "1",
            "enrollments-INITIAL_FORMS": "1",
            "enrollments-0-id": world.enrollment_a.pk,
            "enrollments-0-student": world.student_a.pk,
            "enrollments-0-school_year": world.year.pk,
            "enrollments-0-school": world.school_a.pk,
            "enrollments-0-stage": "primary",
            "enrollments-0-status": "studying",
        },
    )
    assert response.status_code == 200
    assert "household" in response.context["adminform"].form.errors
    world.student_a.refresh_from_db()
    assert world.student_a.household == world.household_a


def test_an_enrollment_at_another_townships_school_is_refused(client, world):
    client.force_login(world.township_staff)
    response = client.post(
        f"{STUDENTS}{world.student_a.pk}/change/",
        {
            "name": world.student_a.name,
            "id_number": world.student_a.id_number,
            "household": world.household_a.pk,
            "enrollments-TOTAL_FORMS": "2",
            "enrollments-INITIAL_FORMS": "1",
            "enrollments-0-id": world.enrollment_a.pk,
            "enrollments-0-student": world.student_a.pk,
            "enrollments-0-school_year": world.year.pk,
            "enrollments-0-school": world.school_a.pk,
            "enrollments-0-stage": "primary",
            "enrollments-0-status": "studying",
            "enrollments-1-student": world.student_a.pk,
            "enrollments-1-school_year": world.year.pk,
            "enrollments-1-school": world.school_b.pk,
            "enrollments-1-stage": "primary",
            "enrollments-1-status": "studying",
        },
    )
    assert response.status_code == 200
    formset_errors = response.context["inline_admin_formsets"][0].formset.errors
    assert "school" in formset_errors[1]
    assert not Enrollment.objects.filter(student=world.student_a, school=world.school_b).exists()


def test_a_village_form_offers_only_the_officers_township(client, world):
    client.force_login(world.township_staff)
    form = client.get("/admin/students/village/add/").context["adminform"].form
    assert list(form.fields["township"].queryset) == [world.township_a]
    response = client.post(
        "/admin/students/village/add/", {"township": world.township_b.pk, "name": "新村"}
    )
    assert response.status_code == 200
    assert not Village.objects.filter(name="新村").exists()


def test_autocomplete_offers_only_the_scope(client, world):
    client.force_login(world.township_staff)
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "students",
            "model_name": "student",
            "field_name": "household",
            "term": "户主",
        },
    )
    assert response.status_code == 200
    ids = {item["id"] for item in json.loads(response.content)["results"]}
    assert ids == {str(world.household_a.pk)}


def test_list_filters_offer_only_the_scope(client, world):
    make_village(township=world.township_a, name="甲二村")
    make_school(township=world.township_a, name="甲镇幼儿园")
    client.force_login(world.township_staff)
    response = client.get(STUDENTS)
    cl = response.context["cl"]
    choices = {
        str(spec.title): [str(c["display"]) for c in spec.choices(cl)] for spec in cl.filter_specs
    }
    assert set(choices["村（社区）"]) == {"全部", "甲镇甲二村", "甲镇甲村"}
    assert set(choices["学校"]) == {"全部", "甲镇中心小学", "甲镇幼儿园"}
    # A single township is no choice at all: Django hides the filter rather than show 乙镇.
    assert "乡镇" not in choices
    assert not any("乙" in display for values in choices.values() for display in values)


def test_search_does_not_leak_across_scopes(client, world):
    client.force_login(world.director)
    assert _listed(client, STUDENTS, q="乙学生") == set()
    assert _listed(client, STUDENTS, q="乙户主") == set()
    # A full ID from another school: redirected to its masked form, which finds nothing here.
    response = client.get(STUDENTS, {"q": world.student_b.id_number}, follow=True)
    assert list(response.context["cl"].result_list) == []


def test_the_school_calendar_is_shared_by_every_role(world):
    for user in (world.township_staff, world.director):
        assert scope_queryset(user, SchoolYear.objects.all()).count() == 1
        assert scope_queryset(user, Term.objects.all()).count() == 2
    assert scope_queryset(AnonymousUser(), SchoolYear.objects.all()).count() == 0


def test_scope_queryset_denies_by_default(world):
    anonymous = AnonymousUser()
    for model in (Student, Household, School, Village, Enrollment):
        assert scope_queryset(anonymous, model.objects.all()).count() == 0


# Third-party admins no role holds a permission on (only a superuser reaches them).
UNSCOPED_ADMINS = {"auth.group", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


def test_every_project_admin_is_scoped():
    from django.contrib import admin

    from aidsite.access import ROLE_PERMISSIONS
    from aidsite.scoped_admin import ScopedAdminMixin

    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if (
            model._meta.app_label in {"aidsite", "students", "subsidies", "campaigns"}
            or label == "auth.user"
        ):
            assert isinstance(model_admin, ScopedAdminMixin), label
            for inline in model_admin.inlines:
                assert issubclass(inline, ScopedAdminMixin), f"{label}: {inline.__name__}"
        else:
            app = model._meta.app_label
            granted = [p for patterns in ROLE_PERMISSIONS.values() for p in patterns]
            assert label in UNSCOPED_ADMINS or not any(p.startswith(f"{app}.") for p in granted), (
                label
            )
