"""The role × endpoint matrix (SECURITY A2): every URL pattern of the resolver, with real
primary keys, GET and POST, on an object in the user's scope and one outside it.

`EXPECTED` holds one line per URL pattern:

    "pattern": "GET-in / GET-out / POST-in / POST-out",

each part five statuses for county admin, township officer, director, auditor, anonymous.
"In" is an object of township A (the officer's township, the director's kindergarten),
"out" one of township B; a pattern without an object has the same object on both sides.
`3` stands for a redirect (302) that is not to a login page, `L` for the redirect to a
login page. A new URL pattern makes `test_the_matrix_lists_every_url_pattern` fail; the
observed cells of every pattern missing here (or of all, with `=all`) are printed by

    ENDPOINT_MATRIX_PRINT=1 .venv/bin/python -m pytest tests/aidsite/test_endpoint_matrix.py -s

one line per role ("MATRIX role 'pattern' GET-in GET-out POST-in POST-out"); they show
what the code does, not what it should do: review every cell before adding the row here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

from aidsite.access import scope_queryset
from students.models import Student

ROLES = ("county", "township", "director", "auditor", "anonymous")
PARTS = ("GET in", "GET out", "POST in", "POST out")


def url_patterns(patterns: Any = None, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    """(full pattern text, pattern) for every leaf of the URLconf."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        text = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + text)
        else:
            yield prefix + text, pattern


# --- concrete URLs ------------------------------------------------------------------------

_ROUTE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_UNNAMED_GROUP = re.compile(r"\((?!\?)[^)]*\)")
_ADMIN_MODEL = re.compile(r"^admin/(\w+)/(\w+)/")


def _admin_object(model: type, world: Any, side: str) -> Any:
    """An object the township officer of A sees ("in"), or one they do not ("out")."""
    everything = model._default_manager.order_by("pk")
    visible = scope_queryset(world.user("township"), everything)
    if side == "in":
        return visible.first() or everything.first()
    hidden = everything.exclude(pk__in=visible.values("pk"))
    return hidden.first() or everything.last()


# The objects the project's own pages are about, by (URL prefix, parameter).
_SIDE_OBJECTS = {
    ("aid/entitlement/", "pk"): "entitlement",
    ("aid/applications/evidence/", "pk"): "evidence",
    ("aid/applications/", "pk"): "application",
    ("aid/loans/", "pk"): "loan",
    ("ledgers/batch/", "pk"): "batch",
    ("ledgers/entry/", "pk"): "entry",
    ("ledgers/funds/", "pk:village"): "village",
    ("ledgers/funds/", "pk:household"): "household",
    ("notices/", "pk"): "notice",
    ("portal/schools/", "pk"): "school",
    ("portal/schools/", "household_pk"): "household",
    ("portal/children/", "pk"): "enrollment",
    ("portal/visits/", "pk"): "visit",
    ("portal/activities/", "pk"): "activity",
    ("portal/photos/", "pk"): "visit_photo",
    ("portal/campaigns/", "pk"): "campaign",
    ("portal/campaigns/", "school_pk"): "school",
    ("portal/mentoring/", "pk"): "mentoring",
    ("dropouts/child/", "pk"): "member",
    ("dropouts/two-after/", "pk"): "two_after",
}


def _value(key: str, name: str, world: Any, role: str, side: str) -> str:
    objects = world.a if side == "in" else world.b
    model_match = _ADMIN_MODEL.match(key)
    if key.startswith("admin/r/"):
        if name == "content_type_id":
            return str(ContentType.objects.get_for_model(Student).pk)
        return str(objects.student.pk)
    if key.startswith("admin/auth/user/<id>"):
        return str(world.user("township").pk if side == "in" else objects.staff.pk)
    if model_match and name in {"object_id", "0"}:
        model = next(
            (m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name) == model_match.groups()),
            None,
        )
        obj = _admin_object(model, world, side) if model else None
        return str(obj.pk) if obj else "0"
    if name == "app_label":
        return "students"
    if name == "url":
        return "no-such-page/"
    if name == "kind":
        return "visit" if key.startswith("portal/photos/") else "student_roster"
    if name == "token":
        return objects.notice.token
    if name == "year":
        return str(world.year.pk)
    if key.startswith(("exports/", "portal/jobs/")):
        job = world.jobs.get(role if side == "in" else "other") or world.jobs["county"]
        return str(job.pk)
    for (prefix, param), attribute in _SIDE_OBJECTS.items():
        param_name, _, within = param.partition(":")
        if key.startswith(prefix) and name == param_name and (not within or f"/{within}/" in key):
            return str(getattr(objects, attribute).pk)
    raise AssertionError(f"no value for <{name}> in {key!r}: add it to endpoint_matrix._value")


def concrete_url(key: str, world: Any, role: str, side: str) -> str:
    model_match = _ADMIN_MODEL.match(key)
    text = key.replace("^", "").replace("$", "")
    text = _NAMED_GROUP.sub(lambda m: _value(key, m.group(1), world, role, side), text)
    text = _ROUTE_PARAM.sub(lambda m: _value(key, m.group(2), world, role, side), text)
    if _UNNAMED_GROUP.search(text):
        # django-simple-history's `<object>/history/<version>/`: the object, then its latest version.
        object_id = _value(key, "0", world, role, side)
        model = next(m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name) == model_match.groups())
        version = model.history.filter(id=object_id).order_by("-history_id").first() if object_id != "0" else None
        values = iter([object_id, str(version.history_id) if version else "0"])
        text = _UNNAMED_GROUP.sub(lambda m: next(values), text)
    return "/" + text


def parse_row(row: str) -> list[tuple[str, ...]]:
    parts = [tuple(part.split()) for part in row.split("/")]
    assert len(parts) == 4 and all(len(p) == len(ROLES) for p in parts), row
    return parts


def status_code(response: Any) -> str:
    if response.status_code == 302:
        location = response["Location"]
        return "L" if "/login/" in location else "3"
    return str(response.status_code)


def format_row(statuses: list[list[str]]) -> str:
    return " / ".join(" ".join(f"{s:>3}" for s in part) for part in statuses)


# --- the expected statuses ----------------------------------------------------------------

# Reviewed cell by cell: a new URL needs its row here. Read with these in mind:
# - `admin/<app>/<model>/<path:object_id>/` is Django's redirect to `…/change/`; it answers
#   the same redirect for any key, existing or not, so it discloses nothing ("3").
# - School years, terms and policies are shared reference data: "out" is another object
#   every role may read (a township officer's 200 there is right, not a leak).
# - A POST without a body to a changelist or a history list renders the page again (200): no
#   write happens. The portal's read pages take GET and HEAD only (405, before the log-in). The delete views need `post=yes` to delete, so an
#   empty POST re-renders the confirmation (200) for who may delete, 403 for the others.
# - Auditors: every write is 403 (admin add/change/delete, revert of a version) or 405;
#   `exports/start/` answers 400 to an empty form because auditors may export.
# - Export jobs: each user owns a finished job with its file ("in": 200, the download too);
#   "out" is another officer's job: 404 for everyone, the county administrator included.
# - `admin/r/…` is 404: no model of the project has a page on the site; out of scope or a
#   malformed key is 404 too (it was a 500 for the UUID-keyed task results).
EXPECTED: dict[str, str] = {
    '': '  3   3   3   3   3 /   3   3   3   3   3 /   3   3   3   3   3 /   3   3   3   3   3',
    'exports/': '200 200 200 200   L / 200 200 200 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'exports/start/<slug:kind>/': '405 405 405 405 405 / 405 405 405 405 405 / 400 400 403 400   L / 400 400 403 400   L',
    'exports/<int:pk>/row/': '200 200 200 200   L / 404 404 404 404   L / 405 405 405 405 405 / 405 405 405 405 405',
    'exports/<int:pk>/download/': '200 200 200 200   L / 404 404 404 404   L / 405 405 405 405 405 / 405 405 405 405 405',
    'aid/': '200 200 403 403   L / 200 200 403 403   L / 405 405 403 403   L / 405 405 403 403   L',
    'aid/compute/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'aid/list/': '200 200 403 403   L / 200 200 403 403   L /   3   3 403 403   L /   3   3 403 403   L',
    'aid/entitlement/<int:pk>/': '200 200 403 403   L / 200 404 403 403   L /   3   3 403 403   L /   3 404 403 403   L',
    'aid/entitlement/<int:pk>/withdraw/': '405 405 403 403   L / 405 405 403 403   L /   3   3 403 403   L /   3 404 403 403   L',
    'aid/add/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'aid/approve/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'aid/unaided/': '200 200 403 403   L / 200 200 403 403   L / 405 405 403 403   L / 405 405 403 403   L',
    # 资助申请: township staff enter and check (初审) their own township's; only the county decides
    # (审核); auditors read the list, the application and its evidence; directors have no page.
    # An empty POST to a step re-renders the application with the form's errors (200).
    'aid/applications/': '200 200 403 200   L / 200 200 403 200   L /   3   3 403   3   L /   3   3 403   3   L',
    'aid/applications/new/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'aid/applications/<int:pk>/': '200 200 403 200   L / 200 404 403 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'aid/applications/<int:pk>/check/': '405 405 405 405 405 / 405 405 405 405 405 / 200 200 403 403   L / 200 404 403 403   L',
    'aid/applications/<int:pk>/decide/': '405 405 405 405 405 / 405 405 405 405 405 / 200 403 403 403   L / 200 403 403 403   L',
    'aid/applications/<int:pk>/evidence/': '405 405 405 405 405 / 405 405 405 405 405 / 200 200 403 403   L / 200 404 403 403   L',
    'aid/applications/evidence/<int:pk>/': '200 200 403 200   L / 200 404 403 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    # Loans: township staff read their own (another township's loan is 404) and may not write
    # (403); the county signs. An empty POST names no action: back to the page with a message.
    'aid/loans/': '200 200 403 403   L / 200 200 403 403   L / 405 405 403 403   L / 405 405 403 403   L',
    'aid/loans/must-lend/': '200 200 403 403   L / 200 200 403 403   L / 405 405 403 403   L / 405 405 403 403   L',
    'aid/loans/<int:pk>/': '200 200 403 403   L / 200 404 403 403   L /   3 403 403 403   L /   3 404 403 403   L',
    'aid/loans/<int:pk>/print/': '200 200 403 403   L / 200 404 403 403   L / 405 405 403 403   L / 405 405 403 403   L',
    'aid/funds/': '200 200 403 200   L / 200 200 403 200   L / 405 405 403 405   L / 405 405 403 405   L',
    'ledgers/': '200 200 403 200   L / 200 200 403 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'ledgers/prepare/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'ledgers/batch/<int:pk>/': '200 200 403 200   L / 200 404 403 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'ledgers/batch/<int:pk>/approve/': '405 405 405 405 405 / 405 405 405 405 405 /   3   3 403 403   L /   3 404 403 403   L',
    'ledgers/batch/<int:pk>/discard/': '405 405 405 405 405 / 405 405 405 405 405 /   3   3 403 403   L /   3 404 403 403   L',
    'ledgers/batch/<int:pk>/bank/': '200 200 403 403   L / 200 404 403 403   L / 200 200 403 403   L / 200 404 403 403   L',
    'ledgers/entry/<int:pk>/reverse/': '200 200 403 403   L / 200 404 403 403   L / 200 200 403 403   L / 200 404 403 403   L',
    'ledgers/conflicts/': '200 200 403 200   L / 200 200 403 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'ledgers/funds/': '200 200 403 200   L / 200 200 403 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'ledgers/funds/<int:year>/village/<int:pk>/': '200 200 403 200   L / 200 404 403 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'ledgers/funds/<int:year>/household/<int:pk>/': '200 200 403 200   L / 200 404 403 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'notices/': '200 200 403 200   L / 200 200 403 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'notices/new/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'policies/open-year/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'notices/<int:pk>/withdraw/': '200 200 403 403   L / 200 404 403 403   L / 200 200 403 403   L / 200 404 403 403   L',
    'dropouts/': '200 200 403 200   L / 200 200 403 200   L / 405 405 403 405   L / 405 405 403 405   L',
    'dropouts/child/<int:pk>/': '200 200 403 200   L / 200 404 403 200   L / 405 405 403 405   L / 405 405 403 405   L',
    'dropouts/child/<int:pk>/contact/': '405 405 403 403   L / 405 405 403 403   L / 400 400 403 403   L / 400 404 403 403   L',
    'dropouts/child/<int:pk>/close/': '405 405 403 403   L / 405 405 403 403   L / 400 400 403 403   L / 400 404 403 403   L',
    'dropouts/two-after/': '200 200 403 200   L / 200 200 403 200   L / 405 405 403 405   L / 405 405 403 405   L',
    'dropouts/two-after/<int:pk>/': '200 200 403 200   L / 200 404 403 200   L / 405 405 403 405   L / 405 405 403 405   L',
    'dropouts/two-after/<int:pk>/offer/': '405 405 403 403   L / 405 405 403 403   L / 400 400 403 403   L / 400 404 403 403   L',
    'admin/': '200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L',
    'admin/login/': '  3   3   3   3 200 /   3   3   3   3 200 / 200 200 200 200 200 / 200 200 200 200 200',
    'admin/logout/': '405 405 405 405   3 / 405 405 405 405   3 / 200 200 200 200   3 / 200 200 200 200   3',
    'admin/password_change/': '200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L',
    'admin/password_change/done/': '200 200 200 200   L / 200 200 200 200   L / 405 405 405 405   L / 405 405 405 405   L',
    'admin/autocomplete/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/jsi18n/': '200 200 200 200   L / 200 200 200 200   L / 405 405 405 405   L / 405 405 405 405   L',
    'admin/r/<path:content_type_id>/<path:object_id>/': '404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L',
    'admin/auth/group/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/auth/group/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/auth/group/<path:object_id>/history/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/auth/group/<path:object_id>/delete/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/auth/group/<path:object_id>/change/': '200 403 403 403   L / 200 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/auth/group/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/axes/accessattempt/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/axes/accessattempt/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/axes/accessattempt/<path:object_id>/history/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/axes/accessattempt/<path:object_id>/delete/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/axes/accessattempt/<path:object_id>/change/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/axes/accessattempt/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/axes/accesslog/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/axes/accesslog/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/axes/accesslog/<path:object_id>/history/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/axes/accesslog/<path:object_id>/delete/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/axes/accesslog/<path:object_id>/change/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/axes/accesslog/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/axes/accessfailurelog/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/axes/accessfailurelog/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/axes/accessfailurelog/<path:object_id>/history/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/axes/accessfailurelog/<path:object_id>/delete/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/axes/accessfailurelog/<path:object_id>/change/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/axes/accessfailurelog/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/django_tasks_database/dbtaskresult/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/django_tasks_database/dbtaskresult/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/django_tasks_database/dbtaskresult/<path:object_id>/history/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/django_tasks_database/dbtaskresult/<path:object_id>/delete/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/django_tasks_database/dbtaskresult/<path:object_id>/change/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/django_tasks_database/dbtaskresult/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/aidsite/staffprofile/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/aidsite/staffprofile/add/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/aidsite/staffprofile/<path:object_id>/history/': '200 404 404 403   L / 200 404 404 403   L / 200 404 404 403   L / 200 404 404 403   L',
    'admin/aidsite/staffprofile/<path:object_id>/delete/': '200 404 404 403   L / 200 404 404 403   L / 200 404 404 403   L / 200 404 404 403   L',
    'admin/aidsite/staffprofile/<path:object_id>/change/': '200 404 404 403   L / 200 404 404 403   L / 200 404 404 403   L / 200 404 404 403   L',
    'admin/aidsite/staffprofile/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/aidsite/accesslog/': '200 403 403 200   L / 200 403 403 200   L / 200 403 403 200   L / 200 403 403 200   L',
    'admin/aidsite/accesslog/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/aidsite/accesslog/<path:object_id>/history/': '404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L',
    'admin/aidsite/accesslog/<path:object_id>/delete/': '404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L',
    'admin/aidsite/accesslog/<path:object_id>/change/': '404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L',
    'admin/aidsite/accesslog/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/auth/user/<id>/password/': '200 404 404 403   L / 200 404 404 403   L / 200 404 404 403   L / 200 404 404 403   L',
    'admin/auth/user/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/auth/user/add/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/auth/user/<path:object_id>/history/': '200 404 404 403   L / 200 404 404 403   L / 200 404 404 403   L / 200 404 404 403   L',
    'admin/auth/user/<path:object_id>/delete/': '200 404 404 403   L / 200 404 404 403   L / 200 404 404 403   L / 200 404 404 403   L',
    'admin/auth/user/<path:object_id>/change/': '200 404 404 403   L / 200 404 404 403   L / 200 404 404 403   L / 200 404 404 403   L',
    'admin/auth/user/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/students/township/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/students/township/add/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/students/township/<path:object_id>/history/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 200   L / 200 404 404 200   L',
    'admin/students/township/<path:object_id>/delete/': '200 403 403 403   L / 200 404 404 403   L / 200 403 403 403   L / 200 404 404 403   L',
    'admin/students/township/<path:object_id>/change/': '200 200 403 200   L / 200 404 404 200   L / 200 403 403 403   L / 200 404 404 403   L',
    'admin/students/township/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/students/village/import/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/students/village/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/students/village/add/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'admin/students/village/<path:object_id>/history/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 200   L / 200 404 404 200   L',
    'admin/students/village/<path:object_id>/delete/': '200 403 403 403   L / 200 404 404 403   L / 200 403 403 403   L / 200 404 404 403   L',
    'admin/students/village/<path:object_id>/change/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 403   L / 200 404 404 403   L',
    'admin/students/village/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/students/school/import/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/students/school/': '200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L',
    'admin/students/school/add/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/students/school/<path:object_id>/history/': '200 200 200 200   L / 200 404 404 200   L / 200 200 200 200   L / 200 404 404 200   L',
    'admin/students/school/<path:object_id>/delete/': '200 403 403 403   L / 200 404 404 403   L / 200 403 403 403   L / 200 404 404 403   L',
    'admin/students/school/<path:object_id>/change/': '200 200 200 200   L / 200 404 404 200   L / 200 403 403 403   L / 200 404 404 403   L',
    'admin/students/school/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/students/household/^([^/]+)/history/([^/]+)/$': '200 200 200 200   L / 200 404 404 200   L / 200 200 403 403   L / 200 404 404 403   L',
    'admin/students/household/': '200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L',
    'admin/students/household/add/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'admin/students/household/<path:object_id>/history/': '200 200 200 200   L / 200 404 404 200   L / 200 200 200 200   L / 200 404 404 200   L',
    'admin/students/household/<path:object_id>/delete/': '200 200 403 403   L / 200 404 404 403   L / 200 200 403 403   L / 200 404 404 403   L',
    'admin/students/household/<path:object_id>/change/': '200 200 200 200   L / 200 404 404 200   L / 200 200 403 403   L / 200 404 404 403   L',
    'admin/students/household/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/students/externallistimport/import/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/students/externallistimport/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/students/externallistimport/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/students/externallistimport/<path:object_id>/history/': '404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L',
    'admin/students/externallistimport/<path:object_id>/delete/': '404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L',
    'admin/students/externallistimport/<path:object_id>/change/': '404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L',
    'admin/students/externallistimport/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'lists/': '200 200 403 200   L / 200 200 403 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'admin/students/student/export/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/students/student/import/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'admin/students/student/^([^/]+)/history/([^/]+)/$': '200 200 200 200   L / 200 404 404 200   L / 200 200 403 403   L / 200 404 404 403   L',
    'admin/students/student/': '200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L',
    'admin/students/student/add/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'admin/students/student/<path:object_id>/history/': '200 200 200 200   L / 200 404 404 200   L / 200 200 200 200   L / 200 404 404 200   L',
    'admin/students/student/<path:object_id>/delete/': '200 200 403 403   L / 200 404 404 403   L / 200 200 403 403   L / 200 404 404 403   L',
    'admin/students/student/<path:object_id>/change/': '200 200 200 200   L / 200 404 404 200   L / 200 200 403 403   L / 200 404 404 403   L',
    'admin/students/student/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/students/enrollment/': '200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L',
    'admin/students/enrollment/add/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'admin/students/enrollment/<path:object_id>/history/': '200 200 200 200   L / 200 404 404 200   L / 200 200 200 200   L / 200 404 404 200   L',
    'admin/students/enrollment/<path:object_id>/delete/': '200 200 403 403   L / 200 404 404 403   L / 200 200 403 403   L / 200 404 404 403   L',
    'admin/students/enrollment/<path:object_id>/change/': '200 200 200 200   L / 200 404 404 200   L / 200 200 403 403   L / 200 404 404 403   L',
    'admin/students/enrollment/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/students/schoolyear/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/students/schoolyear/add/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/students/schoolyear/<path:object_id>/history/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/students/schoolyear/<path:object_id>/delete/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/students/schoolyear/<path:object_id>/change/': '200 200 403 200   L / 200 200 403 200   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/students/schoolyear/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/students/term/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/students/term/add/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/students/term/<path:object_id>/history/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/students/term/<path:object_id>/delete/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/students/term/<path:object_id>/change/': '200 200 403 200   L / 200 200 403 200   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/students/term/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/subsidies/donor/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/donor/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/subsidies/donor/<path:object_id>/change/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 403   L / 200 404 404 403   L',
    'admin/subsidies/donor/<path:object_id>/delete/': '200 403 403 403   L / 200 404 404 403   L / 200 403 403 403   L / 200 404 404 403   L',
    'admin/subsidies/donor/<path:object_id>/history/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 200   L / 200 404 404 200   L',
    'admin/subsidies/donor/^([^/]+)/history/([^/]+)/$': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 403   L / 200 404 404 403   L',
    'admin/subsidies/donor/add/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'admin/subsidies/pairing/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/pairing/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/subsidies/pairing/<path:object_id>/change/': '200 200 403 200   L / 200 404 404 200   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/subsidies/pairing/<path:object_id>/delete/': '403 403 403 403   L / 403 404 404 403   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/subsidies/pairing/<path:object_id>/history/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 200   L / 200 404 404 200   L',
    'admin/subsidies/pairing/^([^/]+)/history/([^/]+)/$': '200 200 403 200   L / 200 404 404 200   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/subsidies/pairing/add/': '  3   3 403 403   L /   3   3 403 403   L /   3   3 403 403   L /   3   3 403 403   L',
    'admin/subsidies/pledge/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/pledge/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/subsidies/pledge/<path:object_id>/change/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 403   L / 200 404 404 403   L',
    'admin/subsidies/pledge/<path:object_id>/delete/': '200 403 403 403   L / 200 404 404 403   L / 200 403 403 403   L / 200 404 404 403   L',
    'admin/subsidies/pledge/<path:object_id>/history/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 200   L / 200 404 404 200   L',
    'admin/subsidies/pledge/^([^/]+)/history/([^/]+)/$': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 403   L / 200 404 404 403   L',
    'admin/subsidies/pledge/add/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'donors/batches/prepare/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'donors/pairings/new/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'admin/subsidies/quotaallocation/^([^/]+)/history/([^/]+)/$': '200 200 403 200   L / 200 404 404 200   L / 200 403 403 403   L / 200 404 404 403   L',
    'admin/subsidies/quotaallocation/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/quotaallocation/add/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/subsidies/quotaallocation/<path:object_id>/history/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 200   L / 200 404 404 200   L',
    'admin/subsidies/quotaallocation/<path:object_id>/delete/': '200 403 403 403   L / 200 404 404 403   L / 200 403 403 403   L / 200 404 404 403   L',
    'admin/subsidies/quotaallocation/<path:object_id>/change/': '200 200 403 200   L / 200 404 404 200   L / 200 403 403 403   L / 200 404 404 403   L',
    'admin/subsidies/quotaallocation/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/subsidies/fundallotment/^([^/]+)/history/([^/]+)/$': '200 200 404 200   L / 200 404 404 200   L / 200 403 404 403   L / 200 404 404 403   L',
    'admin/subsidies/fundallotment/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/fundallotment/add/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/subsidies/fundallotment/<path:object_id>/history/': '200 200 404 200   L / 200 404 404 200   L / 200 200 404 200   L / 200 404 404 200   L',
    'admin/subsidies/fundallotment/<path:object_id>/delete/': '200 403 404 403   L / 200 404 404 403   L / 200 403 404 403   L / 200 404 404 403   L',
    'admin/subsidies/fundallotment/<path:object_id>/change/': '200 200 404 200   L / 200 404 404 200   L / 200 403 404 403   L / 200 404 404 403   L',
    'admin/subsidies/fundallotment/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/subsidies/policy/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/policy/add/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/subsidies/policy/<path:object_id>/history/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/policy/<path:object_id>/delete/': '200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/subsidies/policy/<path:object_id>/change/': '200 200 403 200   L / 200 200 403 200   L / 200 403 403 403   L / 200 403 403 403   L',
    'admin/subsidies/policy/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/subsidies/entitlement/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/entitlement/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/subsidies/entitlement/<path:object_id>/history/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 200   L / 200 404 404 200   L',
    'admin/subsidies/entitlement/<path:object_id>/delete/': '403 403 403 403   L / 403 404 404 403   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/subsidies/entitlement/<path:object_id>/change/': '200 200 403 200   L / 200 404 404 200   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/subsidies/entitlement/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/subsidies/entitlementoverride/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/entitlementoverride/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/subsidies/entitlementoverride/<path:object_id>/history/': '404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L',
    'admin/subsidies/entitlementoverride/<path:object_id>/delete/': '404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L',
    'admin/subsidies/entitlementoverride/<path:object_id>/change/': '404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L',
    'admin/subsidies/entitlementoverride/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/subsidies/entitlementapproval/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/entitlementapproval/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/subsidies/entitlementapproval/<path:object_id>/history/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 200   L / 200 404 404 200   L',
    'admin/subsidies/entitlementapproval/<path:object_id>/delete/': '403 403 403 403   L / 403 404 404 403   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/subsidies/entitlementapproval/<path:object_id>/change/': '200 200 403 200   L / 200 404 404 200   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/subsidies/entitlementapproval/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/subsidies/disbursementbatch/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/disbursementbatch/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/subsidies/disbursementbatch/<path:object_id>/history/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 200   L / 200 404 404 200   L',
    'admin/subsidies/disbursementbatch/<path:object_id>/delete/': '403 403 403 403   L / 403 404 404 403   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/subsidies/disbursementbatch/<path:object_id>/change/': '200 200 403 200   L / 200 404 404 200   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/subsidies/disbursementbatch/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/subsidies/ledgerentry/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/ledgerentry/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/subsidies/ledgerentry/<path:object_id>/history/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 200   L / 200 404 404 200   L',
    'admin/subsidies/ledgerentry/<path:object_id>/delete/': '403 403 403 403   L / 403 404 404 403   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/subsidies/ledgerentry/<path:object_id>/change/': '200 200 403 200   L / 200 404 404 200   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/subsidies/ledgerentry/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/subsidies/reversal/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/reversal/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/subsidies/reversal/<path:object_id>/history/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 200   L / 200 404 404 200   L',
    'admin/subsidies/reversal/<path:object_id>/delete/': '403 403 403 403   L / 403 404 404 403   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/subsidies/reversal/<path:object_id>/change/': '200 200 403 200   L / 200 404 404 200   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/subsidies/reversal/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/subsidies/bankresult/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/bankresult/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/subsidies/bankresult/<path:object_id>/history/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 200   L / 200 404 404 200   L',
    'admin/subsidies/bankresult/<path:object_id>/delete/': '403 403 403 403   L / 403 404 404 403   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/subsidies/bankresult/<path:object_id>/change/': '200 200 403 200   L / 200 404 404 200   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/subsidies/bankresult/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/subsidies/ledgerlog/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/ledgerlog/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/subsidies/ledgerlog/<path:object_id>/history/': '200 200 404 200   L / 200 404 404 200   L / 200 200 404 200   L / 200 404 404 200   L',
    'admin/subsidies/ledgerlog/<path:object_id>/delete/': '403 403 404 403   L / 403 404 404 403   L / 403 403 404 403   L / 403 404 404 403   L',
    'admin/subsidies/ledgerlog/<path:object_id>/change/': '200 200 404 200   L / 200 404 404 200   L / 403 403 404 403   L / 403 404 404 403   L',
    'admin/subsidies/ledgerlog/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/subsidies/paymentaccount/': '200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L / 200 200 403 200   L',
    'admin/subsidies/paymentaccount/add/': '200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L / 200 200 403 403   L',
    'admin/subsidies/paymentaccount/<path:object_id>/history/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 200   L / 200 404 404 200   L',
    'admin/subsidies/paymentaccount/<path:object_id>/delete/': '200 200 403 403   L / 200 404 404 403   L / 200 200 403 403   L / 200 404 404 403   L',
    'admin/subsidies/paymentaccount/<path:object_id>/change/': '200 200 403 200   L / 200 404 404 200   L / 200 200 403 403   L / 200 404 404 403   L',
    'admin/subsidies/paymentaccount/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/campaigns/campaign/': '200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L',
    'admin/campaigns/campaign/add/': '200 200 200 403   L / 200 200 200 403   L / 200 200 200 403   L / 200 200 200 403   L',
    'admin/campaigns/campaign/<path:object_id>/history/': '200 200 200 200   L / 200 404 404 200   L / 200 200 200 200   L / 200 404 404 200   L',
    'admin/campaigns/campaign/<path:object_id>/delete/': '200 200 200 403   L / 200 404 404 403   L / 200 200 200 403   L / 200 404 404 403   L',
    'admin/campaigns/campaign/<path:object_id>/change/': '200 200 200 200   L / 200 404 404 200   L / 200 200 200 403   L / 200 404 404 403   L',
    'admin/campaigns/campaign/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/campaigns/activity/^([^/]+)/history/([^/]+)/$': '200 200 200 200   L / 200 404 404 200   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/campaigns/activity/': '200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L',
    'admin/campaigns/activity/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/campaigns/activity/<path:object_id>/history/': '200 200 200 200   L / 200 404 404 200   L / 200 200 200 200   L / 200 404 404 200   L',
    'admin/campaigns/activity/<path:object_id>/delete/': '200 403 200 403   L / 200 404 404 403   L / 200 403 200 403   L / 200 404 404 403   L',
    'admin/campaigns/activity/<path:object_id>/change/': '200 200 200 200   L / 200 404 404 200   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/campaigns/activity/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/campaigns/kindergartensummary/': '200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L',
    'admin/campaigns/kindergartensummary/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/campaigns/kindergartensummary/<path:object_id>/history/': '200 200 200 200   L / 200 404 404 200   L / 200 200 200 200   L / 200 404 404 200   L',
    'admin/campaigns/kindergartensummary/<path:object_id>/delete/': '200 403 200 403   L / 200 404 404 403   L / 200 403 200 403   L / 200 404 404 403   L',
    'admin/campaigns/kindergartensummary/<path:object_id>/change/': '200 200 200 200   L / 200 404 404 200   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/campaigns/kindergartensummary/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/campaigns/policycard/^([^/]+)/history/([^/]+)/$': '200 200 200 200   L / 200 404 404 200   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/campaigns/policycard/': '200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L',
    'admin/campaigns/policycard/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/campaigns/policycard/<path:object_id>/history/': '200 200 200 200   L / 200 404 404 200   L / 200 200 200 200   L / 200 404 404 200   L',
    'admin/campaigns/policycard/<path:object_id>/delete/': '200 403 200 403   L / 200 404 404 403   L / 200 403 200 403   L / 200 404 404 403   L',
    'admin/campaigns/policycard/<path:object_id>/change/': '200 200 200 200   L / 200 404 404 200   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/campaigns/policycard/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/campaigns/homevisit/^([^/]+)/history/([^/]+)/$': '200 200 200 200   L / 200 404 404 200   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/campaigns/homevisit/': '200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L',
    'admin/campaigns/homevisit/add/': '403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L / 403 403 403 403   L',
    'admin/campaigns/homevisit/<path:object_id>/history/': '200 200 200 200   L / 200 404 404 200   L / 200 200 200 200   L / 200 404 404 200   L',
    'admin/campaigns/homevisit/<path:object_id>/delete/': '200 403 200 403   L / 200 404 404 403   L / 200 403 200 403   L / 200 404 404 403   L',
    'admin/campaigns/homevisit/<path:object_id>/change/': '200 200 200 200   L / 200 404 404 200   L / 403 403 403 403   L / 403 404 404 403   L',
    'admin/campaigns/homevisit/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/campaigns/mentoring/': '200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L',
    'admin/campaigns/mentoring/add/': '200 403 200 403   L / 200 403 200 403   L / 200 403 200 403   L / 200 403 200 403   L',
    'admin/campaigns/mentoring/<path:object_id>/history/': '200 200 200 200   L / 200 404 404 200   L / 200 200 200 200   L / 200 404 404 200   L',
    'admin/campaigns/mentoring/<path:object_id>/delete/': '200 403 200 403   L / 200 404 404 403   L / 200 403 200 403   L / 200 404 404 403   L',
    'admin/campaigns/mentoring/<path:object_id>/change/': '200 200 200 200   L / 200 404 404 200   L / 200 403 200 403   L / 200 404 404 403   L',
    'admin/campaigns/mentoring/<path:object_id>/': '  3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L /   3   3   3   3   L',
    'admin/^(?P<app_label>auth|axes|django_tasks_database|aidsite|students|subsidies|campaigns)/$': '200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L / 200 200 200 200   L',
    'admin/(?P<url>.*)$': '404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L / 404 404 404 404   L',
    'portal/login/': '  3   3   3   3 200 /   3   3   3   3 200 /   3   3   3   3 200 /   3   3   3   3 200',
    'portal/logout/': '405 405 405 405 405 / 405 405 405 405 405 /   L   L   L   L   L /   L   L   L   L   L',
    'portal/': '200 200   3 200   L / 200 200   3 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/coverage/': '200 200 200 200   L / 200 200 200 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/schools/<int:pk>/': '200 200 200 200   L / 200 404 404 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/schools/<int:pk>/activities/': '200 200 200 200   L / 200 404 404 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/schools/<int:pk>/activities/new/': '200 403 200 403   L / 200 403 404 403   L / 200 403 200 403   L / 200 403 404 403   L',
    'portal/schools/<int:pk>/cards/': '200 200 200 200   L / 200 404 404 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/schools/<int:pk>/cards/print/': '405 405 405 405 405 / 405 405 405 405 405 /   3 403   3 403   L /   3 403 404 403   L',
    'portal/schools/<int:pk>/cards/<int:household_pk>/': '405 405 405 405 405 / 405 405 405 405 405 /   3 403   3 403   L /   3 403 404 403   L',
    # Corrections (campaigns.corrections): only the record's author, on the day it was entered.
    # The matrix's records were entered by the system, so even the own director gets 403 on
    # "in"; the card undo without a step answers the list again with the reason (3).
    'portal/schools/<int:pk>/cards/<int:household_pk>/undo/': '405 405 405 405 405 / 405 405 405 405 405 /   3 403   3 403   L /   3 403 404 403   L',
    'portal/activities/<int:pk>/edit/': '403 403 403 403   L / 403 403 404 403   L / 403 403 403 403   L / 403 403 404 403   L',
    'portal/activities/<int:pk>/undo/': '405 405 405 405 405 / 405 405 405 405 405 / 403 403 403 403   L / 403 403 404 403   L',
    'portal/visits/<int:pk>/edit/': '403 403 403 403   L / 403 403 404 403   L / 403 403 403 403   L / 403 403 404 403   L',
    'portal/visits/<int:pk>/undo/': '405 405 405 405 405 / 405 405 405 405 405 / 403 403 403 403   L / 403 403 404 403   L',
    'portal/schools/<int:pk>/summary/': '200 200 200 200   L / 200 404 404 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/schools/<int:pk>/summary.pdf': '200 200 200 200   L / 200 404 404 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/children/<int:pk>/': '200 200 200 200   L / 200 404 404 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/children/<int:pk>/visit/': '200 403 200 403   L / 200 403 404 403   L / 200 403 200 403   L / 200 403 404 403   L',
    'portal/visits/<int:pk>/': '200 200 200 200   L / 200 404 404 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/visits/<int:pk>/close/': '405 405 405 405 405 / 405 405 405 405 405 /   3 403   3 403   L /   3 403 404 403   L',
    'portal/visits/<int:pk>/record.pdf': '200 200 200 200   L / 200 404 404 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/photos/<str:kind>/<int:pk>/': '200 200 200 200   L / 200 404 404 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/campaigns/': '200 200 200 200   L / 200 200 200 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/campaigns/<int:pk>/': '200 200 200 200   L / 200 404 404 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/campaigns/<int:pk>/report/': '405 405 405 405 405 / 405 405 405 405 405 /   3   3   3   3   L /   3 404 404   3   L',
    'portal/campaigns/<int:pk>/schools/<int:school_pk>/summary/': '200 403 200 403   L / 200 403 404 403   L / 200 403 200 403   L / 200 403 404 403   L',
    'portal/mentoring/': '200 200 200 200   L / 200 200 200 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/mentoring/<int:pk>/': '200 200 200 200   L / 200 404 404 200   L / 200 403 200 403   L / 200 403 404 403   L',
    'portal/mentoring/ledger.xlsx': '200 200 200 200   L / 200 200 200 200   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/jobs/<int:pk>/': '200 200 200 200   L / 404 404 404 404   L / 405 405 405 405 405 / 405 405 405 405 405',
    'portal/jobs/<int:pk>/download/': '200 200 200 200   L / 404 404 404 404   L / 405 405 405 405 405 / 405 405 405 405 405',
    'gongshi/<str:token>/': '200 200 200 200 200 / 200 200 200 200 200 / 405 405 405 405 405 / 405 405 405 405 405',
}  # fmt: skip
