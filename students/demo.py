"""The demo township 青山镇 (and the small 白云镇) loaded through the real importer, and its accounts.

The rosters themselves are generated in `students.demo_roster`; `demo_load`
writes them as the .xlsx files offices send and imports them, so the demo
exercises the same path as real data. `demo_accounts_ensure` gives each role
one account scoped to the demo's townships and schools.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group

from aidsite.access import roles_sync
from aidsite.models import Role, StaffProfile
from students.demo_roster import (
    DEMO_TOWNSHIP,
    SECOND_TOWNSHIP,
    DemoRoster,
    demo_roster,
    roster_xlsx_bytes,
)
from students.importing import roster_import
from students.models import School, Township

if TYPE_CHECKING:
    from aidsite.access import Actor


def demo_load(*, actor: Actor, roster: DemoRoster | None = None) -> dict[str, Any]:
    """Load the demo rosters through the real importer (villages, schools, students); safe to repeat."""
    roster = roster or demo_roster()
    reports = {}
    for kind in ("villages", "schools", "students"):
        source = roster_xlsx_bytes(kind, roster.rows(kind), title=f"{DEMO_TOWNSHIP}演示{kind}名册")
        reports[kind] = roster_import(kind=kind, source=source, actor=actor)
    return reports


DEMO_PASSWORD = "Zizhu-Yanshi-2022"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role_label: str
    scope: str


def demo_accounts_ensure(*, password: str = DEMO_PASSWORD) -> list[DemoAccount]:
    """One staff account per role (and a second township's staff), with scope and role group.

    Safe to repeat: existing demo accounts get their role, scope and the demo password back.
    """
    qingshan = Township.objects.get(name=DEMO_TOWNSHIP)
    baiyun = Township.objects.get(name=SECOND_TOWNSHIP)
    kindergarten = School.objects.get(name="青山镇中心幼儿园")
    specs = [
        ("demo_county", Role.COUNTY_ADMIN, None, None, "全县"),
        ("demo_qingshan", Role.TOWNSHIP_STAFF, qingshan, None, DEMO_TOWNSHIP),
        # A second officer of the same township: ledgers need a preparer and another approver.
        ("demo_qingshan2", Role.TOWNSHIP_STAFF, qingshan, None, f"{DEMO_TOWNSHIP}（复核）"),
        ("demo_baiyun", Role.TOWNSHIP_STAFF, baiyun, None, SECOND_TOWNSHIP),
        ("demo_director", Role.DIRECTOR, None, kindergarten, kindergarten.name),
        ("demo_auditor", Role.AUDITOR, None, None, "全县，只读"),
    ]
    if Group.objects.filter(name__in=[str(r.label) for r in Role]).count() < len(Role):
        roles_sync()
    accounts = []
    users = get_user_model().objects
    for username, role, township, school, scope in specs:
        user, _ = users.get_or_create(username=username)
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.is_staff = True
        user.is_active = True
        user.save()
        user.groups.set([Group.objects.get(name=str(role.label))])
        StaffProfile.objects.update_or_create(
            user=user, defaults={"role": role, "township": township, "school": school}
        )
        accounts.append(DemoAccount(username, password, str(role.label), scope))
    return accounts
