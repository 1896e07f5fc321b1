"""Purpose-built staff pages (aid list, notices, ledgers, export centre) render inside the admin's look."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_admin_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int | None = None
) -> HttpResponse:
    """`render` with the admin site's own context: site header and title, user links, the app sidebar."""
    return render(request, template, {**admin.site.each_context(request), **context}, status=status)
