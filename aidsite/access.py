"""Roles, each user's scope, and the one helper that scopes a queryset for a user.

Every list, detail page, form choice, export and report goes through
`scope_queryset`. Models declare how they reach a township and a school
(`scope_township_paths`, `scope_school_paths`); this module imports no app.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from aidsite.models import AccessAction, AccessLog, Role, StaffProfile

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser

# Each role's model permissions as `app_label.codename` patterns; a leading "!"
# takes a permission away again. Later apps add their codenames here.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COUNTY_ADMIN: [
        "students.*",
        "subsidies.*",
        "campaigns.*",
        "aidsite.*_staffprofile",
        "aidsite.view_accesslog",
        "auth.*_user",
        "auth.view_group",
        "simple_history.*",
    ],
    Role.TOWNSHIP_STAFF: [
        "students.view_*",
        "students.export_*",
        "students.view_full_personal_data",
        "students.*_household",
        "students.*_householdhardship",
        "students.*_student",
        "students.*_enrollment",
        "students.add_village",
        "students.change_village",
        "subsidies.view_*",
        "subsidies.export_*",
        # The aid-list workflow (issue 3): compute, override, approve; never the policies.
        "subsidies.add_entitlement",
        "subsidies.change_entitlement",
        "subsidies.approve_entitlement",
        "subsidies.*_entitlementoverride",
        "subsidies.add_entitlementapproval",
        # Disbursement ledgers (issue 4): prepare, approve (four-eyes), reverse, bank results.
        "subsidies.prepare_disbursementbatch",
        "subsidies.approve_disbursementbatch",
        "subsidies.reverse_ledgerentry",
        "subsidies.import_bankresult",
        "subsidies.*_paymentaccount",
        # Public notices (issue 5): publish, and withdraw one posted by mistake; never delete.
        "subsidies.add_publicnotice",
        "subsidies.change_publicnotice",
        "campaigns.view_*",
        "campaigns.export_*",
        # The township organises its publicity campaigns (phases, leading group, kindergartens).
        "campaigns.*_campaign",
        "campaigns.*_campaignphase",
        "campaigns.*_campaignmember",
    ],
    Role.DIRECTOR: [
        "students.view_student",
        "students.view_enrollment",
        "students.view_household",
        "students.view_school",
        "campaigns.*",
    ],
    Role.AUDITOR: [
        "students.view_*",
        "students.export_*",
        "students.view_full_personal_data",
        "subsidies.view_*",
        "subsidies.export_*",
        "campaigns.view_*",
        "campaigns.export_*",
        "aidsite.view_accesslog",
    ],
}


def role_permission_codes(role: str, available: list[str]) -> list[str]:
    """The `app_label.codename` strings of `available` that `role` is granted."""
    patterns = ROLE_PERMISSIONS.get(role, [])
    grants = [p for p in patterns if not p.startswith("!")]
    denials = [p[1:] for p in patterns if p.startswith("!")]
    return [
        code
        for code in available
        if any(fnmatch(code, p) for p in grants) and not any(fnmatch(code, p) for p in denials)
    ]


def roles_sync() -> None:
    """Create one permission group per role holding exactly its permissions."""
    from django.contrib.auth.models import Group, Permission

    permissions = list(Permission.objects.select_related("content_type"))
    by_code = {f"{p.content_type.app_label}.{p.codename}": p for p in permissions}
    for role in Role:
        group, _ = Group.objects.get_or_create(name=str(role.label))
        codes = role_permission_codes(role.value, list(by_code))
        group.permissions.set([by_code[c] for c in codes])


@dataclass(frozen=True)
class Scope:
    """What a user may see: everything, one township, one school, or nothing."""

    role: str | None
    township_id: int | None = None
    school_id: int | None = None
    everything: bool = False

    @property
    def read_only(self) -> bool:
        return self.role == Role.AUDITOR


NOTHING = Scope(role=None)


def user_scope(user: UserLike) -> Scope:
    if not user or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_aid_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(role=Role.COUNTY_ADMIN, everything=True)
    else:
        profile = StaffProfile.objects.filter(user=user).first()
        if profile is None:
            scope = NOTHING
        elif profile.role in (Role.COUNTY_ADMIN, Role.AUDITOR):
            scope = Scope(role=profile.role, everything=True)
        elif profile.role == Role.TOWNSHIP_STAFF:
            scope = Scope(role=profile.role, township_id=profile.township_id)
        else:
            scope = Scope(role=profile.role, school_id=profile.school_id)
    user._aid_scope = scope  # type: ignore[union-attr]
    return scope


def user_role(user: UserLike) -> str | None:
    return user_scope(user).role


def _is_multivalued(model: type[models.Model], path: str) -> bool:
    """Whether following `path` can meet one row more than once (a reverse or m2m hop)."""
    current = model
    for name in path.split("__"):
        if name == "pk":
            return False
        field = current._meta.get_field(name)
        if field.one_to_many or field.many_to_many:
            return True
        if not field.is_relation:
            return False
        current = field.related_model
    return False


def _scope_q(model: type[models.Model], paths: tuple[str, ...], value: int) -> tuple[Q, bool]:
    q = Q()
    multivalued = False
    for path in paths:
        q |= Q(**{path if path == "pk" else f"{path}__pk": value})
        multivalued = multivalued or _is_multivalued(model, path)
    return q, multivalued


# Reference data every role reads whatever its scope (the school calendar); the
# model permissions still decide who may see or change it.
SHARED_MODELS: set[str] = {"students.schoolyear", "students.term"}
# The county's aid policies are read by every role (the model permissions keep them county-edited).
SHARED_MODELS |= {
    "subsidies.policy",
    "subsidies.policytier",
    "subsidies.policystageamount",
    "subsidies.policydailyrate",
    "subsidies.policycategory",
}


def scope_queryset(user: UserLike, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """`queryset` restricted to what `user` may see (deny by default)."""
    scope = user_scope(user)
    if scope.everything:
        return queryset
    model = queryset.model
    if scope.role is not None and model._meta.label_lower in SHARED_MODELS:
        return queryset
    if scope.township_id is not None:
        paths = getattr(model, "scope_township_paths", None)
        value = scope.township_id
    elif scope.school_id is not None:
        paths = getattr(model, "scope_school_paths", None)
        value = scope.school_id
    else:
        return queryset.none()
    if not paths:
        return queryset.none()
    q, multivalued = _scope_q(model, tuple(paths), value)
    if multivalued:
        # A subquery keeps each row once without DISTINCT, which would break aggregates.
        return queryset.filter(pk__in=model._default_manager.filter(q).values("pk"))
    return queryset.filter(q)


def get_for_user(user: UserLike, queryset: QuerySet[Any], **lookup: Any) -> Any:
    """One object the user may see, or 404 (never 403: its existence is not disclosed)."""
    try:
        return scope_queryset(user, queryset).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def can_reveal_personal_data(user: UserLike) -> bool:
    return bool(user and user.has_perm("students.view_full_personal_data"))


def log_access(
    *,
    user: UserLike | None,
    action: AccessAction | str,
    what: str,
    row_count: int = 0,
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    """Append one access-log entry; call it wherever full personal data leaves the system."""
    return AccessLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        what=what[:200],
        row_count=row_count,
        detail=detail or {},
    )
