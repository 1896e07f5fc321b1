"""The one base every ModelAdmin and inline of the project mixes in.

It routes everything the Django admin reads through `aidsite.access.scope_queryset`:
lists, change and delete pages, search, autocomplete, foreign-key choices and the
choices of related list filters, history pages (django-simple-history's list and
version pages included) and the lookups a list URL may carry. It also keeps personal
data (ID numbers, phones) masked on change and history pages: in full only for a user
with the reveal permission who asks for it (`?reveal=1`, the page's "显示完整号码" link),
and every page that shows them in full is recorded (SECURITY A4, D1, D2).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpRequest
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from aidsite.access import can_reveal_personal_data, log_access, scope_queryset, user_scope
from aidsite.lib.idcard import mask_account, mask_id_number, mask_phone
from aidsite.models import AccessAction

# The query parameter that asks a change or history page for the full personal data.
REVEAL_PARAM = "reveal"

# Refused list lookups are security events (someone probing hidden digits or another
# scope), logged with who asked; the value is left out, it may be a guess at an ID number.
security_log = logging.getLogger("django.security.admin_lookup")


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


def _mask_personal_value(field_name: str, value: Any) -> str:
    text = "" if value is None else str(value)
    if "phone" in field_name:
        return mask_phone(text)
    if "id_number" in field_name:
        return mask_id_number(text)
    return mask_account(text)


class _MaskedHistoryHelper(HistoricalRecordContextHelper):
    """Shows a personal field's change in a history list as its masked before and after."""

    def __init__(self, model: type[models.Model], record: Any, *, masked: frozenset[str]) -> None:
        super().__init__(model, record)
        self.masked = masked

    def prepare_delta_change_value(self, change, value):  # type: ignore[no-untyped-def]
        if change.field in self.masked:
            return _mask_personal_value(change.field, value)
        return super().prepare_delta_change_value(change, value)


def _lookup_fields(model: type[models.Model], lookup: str) -> list[Any]:
    """The fields a list-URL lookup walks through, up to its first transform or lookup."""
    fields: list[Any] = []
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break
        fields.append(field)
        if not getattr(field, "path_infos", None):
            break
        model = field.path_infos[-1].to_opts.model
    return fields


def _field_path(fields: list[Any]) -> str:
    # `school__id__exact` is what the related-object filter declared as `school` sends.
    if len(fields) > 1 and fields[-1].primary_key and fields[-2].is_relation:
        fields = fields[:-1]
    return LOOKUP_SEP.join(f.name for f in fields)


class ScopedAdminMixin:
    """Mix into every `admin.ModelAdmin` and inline: row-level scope plus masked personal data.

    `personal_fields` maps a model field holding personal data to the name of a
    read-only display of its masked value (a model property or an admin method).
    Every page shows the masked display in its place; a user with the reveal
    permission (`AID_REVEAL_PERMISSION`) who asks for it (`?reveal=1`) sees and may
    edit the field, and that page view is written to the access log.
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

    # --- lookups in the list URL ------------------------------------------
    def lookup_allowed(self, lookup: str, value: Any, request: HttpRequest | None = None) -> bool:
        """Only the declared filters narrow a list; personal fields never without the reveal permission.

        Django allows any lookup on a local field (`?id_number__startswith=3708`),
        which lets a user recover a masked ID number digit by digit (SECURITY D1).
        A refusal makes the list answer 400 (DisallowedModelAdminLookup) and is logged.
        """
        model = self.model  # type: ignore[attr-defined]
        fields = _lookup_fields(model, lookup)
        user = getattr(request, "user", None)
        personal = self._personal_model_fields()
        touches_personal = any(
            (f.model._meta.label_lower, f.name) in personal for f in fields if not f.auto_created
        )
        if touches_personal and not (user is not None and can_reveal_personal_data(user)):
            allowed = False
        else:
            allowed = self._declared_lookup(request, lookup, value, fields)
        if not allowed:
            security_log.warning(
                "Refused list lookup %s on %s by %s%s",
                lookup,
                model._meta.label_lower,
                getattr(user, "username", "?"),
                " (personal field)" if touches_personal else "",
            )
        return allowed

    def _declared_lookup(
        self, request: HttpRequest | None, lookup: str, value: Any, fields: list[Any]
    ) -> bool:
        from django.contrib.admin import widgets
        from django.contrib.admin.filters import SimpleListFilter

        model = self.model  # type: ignore[attr-defined]
        # The raw-id popup passes a foreign key's `limit_choices_to` as lookups.
        for fk_lookup in model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in widgets.url_params_from_lookup_dict(fk_lookup).items():
                return True
        declared: set[str] = set()
        if self.date_hierarchy:  # type: ignore[attr-defined]
            declared.add(self.date_hierarchy)  # type: ignore[attr-defined]
        entries = (
            self.get_list_filter(request)
            if request is not None
            else self.list_filter  # type: ignore[attr-defined]
        )
        for entry in entries:
            if isinstance(entry, type) and issubclass(entry, SimpleListFilter):
                if lookup == entry.parameter_name:
                    return True
            elif isinstance(entry, (list, tuple)):
                declared.add(entry[0])
            else:
                declared.add(entry)
        declared_paths = {_field_path(_lookup_fields(model, name)) for name in declared}
        return bool(fields) and _field_path(fields) in declared_paths

    def _personal_model_fields(self) -> set[tuple[str, str]]:
        """(model label, field) of every personal field any admin of the site masks."""
        return {
            (registered._meta.label_lower, field)
            for registered, model_admin in self.admin_site._registry.items()  # type: ignore[attr-defined]
            for field in getattr(model_admin, "personal_fields", {})
        }

    # --- history ----------------------------------------------------------
    def _require_history_in_scope(self, request: HttpRequest, object_id: str) -> None:
        """The history of an object the user cannot open is 404, like its change page."""
        pk = unquote(object_id)
        manager = self.model._default_manager  # type: ignore[attr-defined]
        try:
            if self.get_queryset(request).filter(pk=pk).exists():
                return
            exists = manager.filter(pk=pk).exists()
        except (ValueError, TypeError, ValidationError) as exc:
            raise Http404 from exc
        # What a deleted object was is read only by the roles that see every township:
        # its row no longer says which scope it belonged to.
        if not exists and user_scope(request.user).everything:
            return
        raise Http404

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):  # type: ignore[no-untyped-def]
        self._require_history_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str, extra_context=None):  # type: ignore[no-untyped-def]
        self._require_history_in_scope(request, object_id)
        # simple-history looks the version up unguarded: a malformed number would be a 500.
        history = self.model.history  # type: ignore[attr-defined]
        try:
            if not history.filter(id=unquote(object_id), history_id=version_id).exists():
                raise Http404
        except (ValueError, TypeError, ValidationError) as exc:
            raise Http404 from exc
        # simple-history saves a posted version (a revert) for anyone who may *view*
        # history; only a user who may change the object may write it back.
        if request.method == "POST":
            obj = self.get_queryset(request).filter(pk=unquote(object_id)).first()
            if obj is None or not self.has_change_permission(request, obj):  # type: ignore[attr-defined]
                raise PermissionDenied
        response = super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]
        self._log_reveal(
            request, f"{unquote(object_id)} 历史版本", pk=unquote(object_id), version=version_id
        )
        return response

    def get_historical_record_context_helper(self, request: HttpRequest, historical_record):  # type: ignore[no-untyped-def]
        if self.personal_fields and not self.reveals_personal_data(request):
            return _MaskedHistoryHelper(
                self.model,  # type: ignore[attr-defined]
                historical_record,
                masked=frozenset(self.personal_fields),
            )
        return super().get_historical_record_context_helper(request, historical_record)  # type: ignore[misc]

    # --- personal data ----------------------------------------------------
    def reveals_personal_data(self, request: HttpRequest) -> bool:
        """Full values on this page: the user may reveal them and asked to (a POST keeps the URL's ask)."""
        return (
            bool(self.personal_fields)
            and request.GET.get(REVEAL_PARAM) == "1"
            and can_reveal_personal_data(request.user)
        )

    def _log_reveal(self, request: HttpRequest, what: str, **detail: Any) -> None:
        """Log that the user was shown this admin's personal fields unmasked (if they were)."""
        if not self.reveals_personal_data(request):
            return
        opts = self.model._meta  # type: ignore[attr-defined]
        log_access(
            user=request.user,
            action=AccessAction.REVEAL,
            what=f"{opts.verbose_name} {what}",
            row_count=1,
            detail={"model": opts.label_lower, **detail},
        )

    def _masks_personal_data(self, request: HttpRequest, obj: models.Model | None) -> bool:
        # On the add page the user is typing the data in; there is nothing to hide yet.
        return (
            bool(self.personal_fields)
            and obj is not None
            and not self.reveals_personal_data(request)
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
        if obj is not None:
            self._log_reveal(request, str(obj), pk=obj.pk)
            if (
                self.personal_fields
                and can_reveal_personal_data(request.user)
                and not self.reveals_personal_data(request)
            ):
                query = request.GET.copy()
                query[REVEAL_PARAM] = "1"
                context["reveal_url"] = f"?{query.urlencode()}"
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A ModelAdmin that sees only the user's scope."""


class ScopedHistoryAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """A ModelAdmin for a model with django-simple-history: versions stay in scope and masked."""


class ScopedTabularInline(ScopedAdminMixin, admin.TabularInline):
    """An inline that lists and offers only the user's scope."""


class ReadOnlyAdminMixin:
    """Rows entered through services or the portal: the admin only lists and shows them.

    `read_only_deletable` keeps the delete permission with the model permissions (a
    campaign's activity may be removed by mistake-fixing staff); by default nothing is.
    """

    read_only_deletable = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        if self.read_only_deletable:
            return super().has_delete_permission(request, obj)  # type: ignore[misc]
        return False


class ReadOnlyTabularInline(ReadOnlyAdminMixin, ScopedTabularInline):
    """An inline that only shows rows (e.g. a household's children)."""

    extra = 0
    can_delete = False
    show_change_link = True
