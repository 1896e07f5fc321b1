"""The admin index page: the sections apps register, then Django's grouping by app.

Staff look for the registry first, then places and schools, the calendar, and the
system pages last. Each app registers its sections from `AppConfig.ready()`, in the
order they appear; models named in no section keep Django's grouping, after these.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

INDEX_SECTIONS: list[tuple[str, list[str]]] = []
SYSTEM_SECTION: tuple[str, list[str]] = (
    _("用户与权限"),
    ["auth.user", "aidsite.staffprofile", "auth.group", "aidsite.accesslog"],
)


def admin_section_register(name: str, labels: list[str]) -> None:
    """Show the models `labels` (`app_label.model`) together under `name` on the index."""
    section = (name, [label.lower() for label in labels])
    # An app registry populated again (tests overriding INSTALLED_APPS) registers again.
    if section not in INDEX_SECTIONS:
        INDEX_SECTIONS.append(section)


def grouped_app_list(self: admin.AdminSite, request: HttpRequest, app_label: str | None = None):  # type: ignore[no-untyped-def]
    app_list = admin.AdminSite.get_app_list(self, request, app_label)
    if app_label is not None:
        return app_list
    by_label: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for app in app_list:
        for model in app["models"]:
            by_label[f"{app['app_label']}.{model['object_name'].lower()}"] = (app, model)
    sections: list[dict[str, Any]] = []
    placed: set[str] = set()
    for name, labels in [*INDEX_SECTIONS, SYSTEM_SECTION]:
        found = [(label, by_label[label]) for label in labels if label in by_label]
        if not found:
            continue
        first_app = found[0][1][0]
        sections.append(
            {
                **first_app,
                "name": name,
                "models": [model for _label, (_app, model) in found],
            }
        )
        placed.update(label for label, _found in found)
    for app in app_list:
        rest = [
            m
            for m in app["models"]
            if f"{app['app_label']}.{m['object_name'].lower()}" not in placed
        ]
        if rest:
            sections.append({**app, "models": rest})
    return sections
