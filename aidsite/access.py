"""Roles, each actor's scope, and the two doors every access goes through.

`require` decides whether an actor may do something (a permission, a township
or school, a write); `scope_queryset` narrows a list to what the actor may see.
Services take a required `actor`: a logged-in user, or `SystemActor` for
commands and background jobs, which is named in the audit trail. No `None`
means "everything". Models declare how they reach a township and a school
(`scope_township_paths`, `scope_school_paths`); this module imports no app.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from aidsite.models import AccessAction, AccessLog, Role, StaffProfile

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser

# Each role's model permissions as `app_label.codename` patterns; a leading "!"
# takes a permission away again. Only the site's own and third-party models are
# named here: each app grants its own from its `AppConfig.ready()` (`grant`).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COUNTY_ADMIN: [
        "aidsite.*_staffprofile",
        "aidsite.view_accesslog",
        "auth.*_user",
        "auth.view_group",
        "simple_history.*",
    ],
    Role.TOWNSHIP_STAFF: [],
    Role.DIRECTOR: [],
    Role.AUDITOR: ["aidsite.view_accesslog"],
}


def grant(role: str, *patterns: str) -> None:
    """Give `role` the permissions matching `patterns` (see `ROLE_PERMISSIONS`).

    Apps call it from `AppConfig.ready()` for their own models; the role groups
    follow at the next `migrate` (`roles_sync`).
    """
    granted = ROLE_PERMISSIONS.setdefault(role, [])
    for pattern in patterns:
        if pattern not in granted:
            granted.append(pattern)


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
SYSTEM_ROLE = "system"


@dataclass(frozen=True)
class SystemActor:
    """A command or background job acting for the county, named in logs and history.

    It holds every permission and sees everything; it is never a request's user,
    so a view cannot reach this scope by forgetting an argument.
    """

    name: str
    is_authenticated: bool = True
    is_active: bool = True
    is_staff: bool = True
    is_superuser: bool = False

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True

    def __str__(self) -> str:
        return self.name


SYSTEM_SCOPE = Scope(role=SYSTEM_ROLE, everything=True)

if TYPE_CHECKING:
    Actor = UserLike | SystemActor


def actor_user(actor: Actor | None) -> Any:
    """The user to record in history and logs: `None` for a system actor."""
    if actor is None or isinstance(actor, SystemActor) or not actor.is_authenticated:
        return None
    return actor


def user_scope(user: Actor) -> Scope:
    if isinstance(user, SystemActor):
        return SYSTEM_SCOPE
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


def user_role(user: Actor) -> str | None:
    return user_scope(user).role


def covers_township(scope: Scope, township_id: int | None) -> bool:
    """Whether `scope` reaches township `township_id` (a director: their school's township)."""
    if scope.everything:
        return True
    if township_id is None:
        return False
    if scope.township_id is not None:
        return scope.township_id == township_id
    if scope.school_id is not None:
        from django.apps import apps

        school_model = apps.get_model(settings.AID_SCHOOL_MODEL)
        return school_model.objects.filter(pk=scope.school_id, township_id=township_id).exists()
    return False


def covers_school(scope: Scope, school: Any) -> bool:
    """Whether `scope` reaches `school` (an object with `pk` and `township_id`)."""
    if scope.everything:
        return True
    if scope.school_id is not None:
        return scope.school_id == school.pk
    return scope.township_id is not None and scope.township_id == school.township_id


_UNCHECKED: Any = object()


def require(
    actor: Actor,
    permission: str | tuple[str, ...] | None = None,
    *,
    township: Any = _UNCHECKED,
    school: Any = None,
    write: bool = False,
    staff: bool = False,
    denied: str = "没有此操作的权限。",
    read_only: str | None = None,
    out_of_scope: str = "只能处理本乡镇的数据。",
) -> Scope:
    """The one access decision: raise `PermissionDenied` unless `actor` may act.

    - `permission`: model permission(s) the actor must hold (all of them);
    - `township`: the township acted on (an object with `pk`, or an id); `None` means
      the whole county, which only county-wide roles reach; left out, not checked;
    - `school`: the school acted on (checked against a director's or township's scope);
    - `write`: a change, refused to read-only roles (auditors) whatever they hold;
    - `staff`: a staff page (the admin flag), refused to the portal's users.

    Returns the actor's scope, for the caller to narrow its queries with.
    """
    scope = user_scope(actor)
    if scope.role is None:
        raise PermissionDenied(denied)
    if staff and not actor.is_staff:
        raise PermissionDenied(denied)
    permissions = (permission,) if isinstance(permission, str) else permission or ()
    if any(not actor.has_perm(p) for p in permissions):
        raise PermissionDenied(denied)
    if write and scope.read_only:
        raise PermissionDenied(read_only or denied)
    if township is not _UNCHECKED:
        township_id = getattr(township, "pk", township)
        if not covers_township(scope, township_id):
            raise PermissionDenied(out_of_scope)
    if school is not None and not covers_school(scope, school):
        raise PermissionDenied(out_of_scope)
    return scope


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


# Reference data every role reads whatever its scope (the school calendar, the
# county's aid policies), as `app_label.model`; the model permissions still decide
# who may see or change it. Apps add theirs from `AppConfig.ready()`.
SHARED_MODELS: set[str] = set()


def share_models(*labels: str) -> None:
    """Let every role read the models `labels` (`app_label.model`) whatever its scope."""
    SHARED_MODELS.update(label.lower() for label in labels)


def scope_queryset(user: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
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


def get_for_user(user: Actor, queryset: QuerySet[Any], **lookup: Any) -> Any:
    """One object the user may see, or 404 (never 403: its existence is not disclosed)."""
    try:
        return scope_queryset(user, queryset).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def can_reveal_personal_data(user: Actor) -> bool:
    return bool(user and user.has_perm(settings.AID_REVEAL_PERMISSION))


def log_access(
    *,
    user: Actor | None,
    action: AccessAction | str,
    what: str,
    row_count: int = 0,
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    """Append one access-log entry; call it wherever full personal data leaves the system."""
    detail = dict(detail or {})
    if isinstance(user, SystemActor):
        detail.setdefault("actor", user.name)
    return AccessLog.objects.create(
        user=actor_user(user),
        action=action,
        what=what[:200],
        row_count=row_count,
        detail=detail,
    )
