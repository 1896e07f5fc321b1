"""The admin index page (工作台): the panels and sections apps register, then Django's grouping by app.

Staff look for the registry first, then places and schools, the calendar, and the
system pages last. Each app registers its sections from `AppConfig.ready()`, in the
order they appear; models named in no section keep Django's grouping, after these.
A panel (a template and the function giving its context for a request, e.g. the
to-dos of `oversight`) is registered the same way and shown above the daily work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
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


# (template, context builder): the builder returns the panel's context, or None to show nothing.
IndexPanel = tuple[str, Callable[[HttpRequest], dict[str, Any] | None]]
INDEX_PANELS: list[IndexPanel] = []


def admin_index_panel_register(
    template: str, context: Callable[[HttpRequest], dict[str, Any] | None]
) -> None:
    """Show `template` on the index, rendered with `context(request)` (nothing when it returns None)."""
    if (template, context) not in INDEX_PANELS:
        INDEX_PANELS.append((template, context))


def index_with_panels(
    self: admin.AdminSite, request: HttpRequest, extra_context: dict[str, Any] | None = None
) -> TemplateResponse:
    """Django's index with the registered panels as `index_panels`: each a dict of its `template`
    and its context's keys (the template reads them as `panel.<key>`)."""
    panels = []
    for template, build in INDEX_PANELS:
        panel_context = build(request)
        if panel_context is not None:
            panels.append({"template": template, **panel_context})
    return admin.AdminSite.index(self, request, {**(extra_context or {}), "index_panels": panels})


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
