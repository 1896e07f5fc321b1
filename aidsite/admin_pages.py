"""Purpose-built staff pages (aid list, notices, ledgers, export centre) render inside the admin's look."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_admin_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int | None = None
) -> HttpResponse:
    """`render` with the admin site's own context (site header and title, user links).

    Without the admin's sidebar of tables: these pages are wide tables of their own.
    """
    site = {**admin.site.each_context(request), "is_nav_sidebar_enabled": False}
    return render(request, template, {**site, **context}, status=status)
