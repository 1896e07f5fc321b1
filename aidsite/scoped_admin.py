"""The one base every ModelAdmin and inline of the project mixes in.

It routes everything the Django admin reads through `aidsite.access.scope_queryset`:
lists, change and delete pages, search, autocomplete, foreign-key choices and the
choices of related list filters. It also keeps personal data (ID numbers, phones)
masked on change pages for users without the reveal permission, and records every
page that shows them in full (SECURITY A4, D1, D2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.http import Http404, HttpRequest

from aidsite.access import can_reveal_personal_data, log_access, scope_queryset
from aidsite.models import AccessAction


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A related-object filter whose choices are only the objects the user may see."""

    def field_choices(self, field, request, model_admin):  # type: ignore[no-untyped-def]
        ordering = self.field_admin_ordering(field, request, model_admin)
        related = field.related_model
        # select_related() follows the non-null keys that __str__ tends to use
        # (a village's township), so the choices cost one query.
        queryset = scope_queryset(request.user, related._default_manager.select_related())
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


def _scoped_list_filter(model: type[models.Model], entry: Any) -> Any:
    """A plain `list_filter` name that ends on a relation gets the scoped filter."""
    if not isinstance(entry, str):
        return entry
    fields = get_fields_from_path(model, entry)
    if fields and fields[-1].is_relation:
        return (entry, ScopedRelatedFieldListFilter)
    return entry


class ScopedAdminMixin:
    """Mix into every `admin.ModelAdmin` and inline: row-level scope plus masked personal data.

    `personal_fields` maps a model field holding personal data to the name of a
    read-only display of its masked value (a model property or an admin method).
    Users without `students.view_full_personal_data` get the masked display in its
    place; users with it see the field and the page view is written to the access log.
    """

    personal_fields: dict[str, str] = {}

    # --- rows -------------------------------------------------------------
    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return scope_queryset(request.user, super().get_queryset(request))  # type: ignore[misc]

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):  # type: ignore[no-untyped-def]
        # Out of scope and non-existent look the same: 404, so existence is not disclosed.
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is None:
            raise Http404
        return obj

    # --- form choices -----------------------------------------------------
    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if "queryset" not in kwargs:
            queryset = self.get_field_queryset(None, db_field, request)  # type: ignore[attr-defined]
            if queryset is None:
                queryset = db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = scope_queryset(request.user, queryset)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if "queryset" not in kwargs and getattr(
            db_field.remote_field.model, "scope_township_paths", None
        ):
            queryset = self.get_field_queryset(None, db_field, request)  # type: ignore[attr-defined]
            if queryset is None:
                queryset = db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = scope_queryset(request.user, queryset)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    # --- filters ----------------------------------------------------------
    def get_list_filter(self, request: HttpRequest) -> Sequence[Any]:
        entries = super().get_list_filter(request)  # type: ignore[misc]
        return [_scoped_list_filter(self.model, entry) for entry in entries]  # type: ignore[attr-defined]

    # --- personal data ----------------------------------------------------
    def _masks_personal_data(self, request: HttpRequest, obj: models.Model | None) -> bool:
        # On the add page the user is typing the data in; there is nothing to hide yet.
        return (
            bool(self.personal_fields)
            and obj is not None
            and not can_reveal_personal_data(request.user)
        )

    def _swap_personal_fields(self, fields: Sequence[Any]) -> list[Any]:
        swapped: list[Any] = []
        for field in fields:
            if isinstance(field, (list, tuple)):
                swapped.append(tuple(self.personal_fields.get(f, f) for f in field))
            else:
                swapped.append(self.personal_fields.get(field, field))
        return swapped

    def get_fieldsets(self, request: HttpRequest, obj: models.Model | None = None):  # type: ignore[no-untyped-def]
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        if not self._masks_personal_data(request, obj):
            return fieldsets
        return [
            (name, {**options, "fields": self._swap_personal_fields(options["fields"])})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: models.Model | None = None):  # type: ignore[no-untyped-def]
        readonly = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        if self._masks_personal_data(request, obj):
            readonly += [m for m in self.personal_fields.values() if m not in readonly]
        return readonly

    def get_exclude(self, request: HttpRequest, obj: models.Model | None = None):  # type: ignore[no-untyped-def]
        exclude = list(super().get_exclude(request, obj) or [])  # type: ignore[misc]
        if self._masks_personal_data(request, obj):
            exclude += list(self.personal_fields)
        return exclude or None

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):  # type: ignore[no-untyped-def]
        if obj is not None and self.personal_fields and can_reveal_personal_data(request.user):
            opts = self.model._meta  # type: ignore[attr-defined]
            log_access(
                user=request.user,
                action=AccessAction.REVEAL,
                what=f"{opts.verbose_name} {obj}",
                row_count=1,
                detail={"model": opts.label_lower, "pk": obj.pk},
            )
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A ModelAdmin that sees only the user's scope."""


class ScopedTabularInline(ScopedAdminMixin, admin.TabularInline):
    """An inline that lists and offers only the user's scope."""


class ReadOnlyTabularInline(ScopedTabularInline):
    """An inline that only shows rows (e.g. a household's children)."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
