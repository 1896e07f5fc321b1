"""Free-text fields in the admin, masked for roles without the reveal permission (SECURITY D1).

Someone may type an ID number or a phone into a visit's 家长反映, a note or a reason.
`MaskedFreeTextAdminMixin` shows the fields named in `masked_text_fields` through a
read-only display that masks them (lists and change pages) for a user who may not
reveal personal data. The field itself is then left out of the form, so a masked
value is never written back (an add page, with nothing stored yet, keeps the
fields to type in); and it leaves the search fields, so a search cannot
probe hidden digits either. Users with the permission see and edit the text as usual.
Kept apart from `aidsite.scoped_admin` (scope) on purpose: mix it in before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.http import HttpRequest

from aidsite.access import can_reveal_personal_data
from aidsite.free_text import free_text_reveal_log
from aidsite.logging import mask_text

_SUFFIX = "_masked"


class MaskedFreeTextAdminMixin:
    masked_text_fields: Sequence[str] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.masked_text_fields:
            setattr(self, name + _SUFFIX, self._masked_display(name))

    def _masked_display(self, name: str) -> Callable[[Any], str]:
        field = self.model._meta.get_field(name)  # type: ignore[attr-defined]

        def display(obj: Any) -> str:
            return mask_text(str(getattr(obj, name) or ""))

        display.short_description = field.verbose_name  # type: ignore[attr-defined]
        return display

    def _masks(self, request: HttpRequest) -> bool:
        return bool(self.masked_text_fields) and not can_reveal_personal_data(request.user)

    def _swap(self, names: Sequence[Any]) -> list[Any]:
        return [
            name + _SUFFIX if isinstance(name, str) and name in self.masked_text_fields else name
            for name in names
        ]

    def get_fieldsets(self, request, obj=None):  # type: ignore[no-untyped-def]
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        if obj is None or not self._masks(request):
            return fieldsets
        swapped = []
        for title, options in fieldsets:
            fields = [
                tuple(self._swap(line)) if isinstance(line, (list, tuple)) else self._swap([line])[0]
                for line in options.get("fields", ())
            ]
            swapped.append((title, {**options, "fields": fields}))
        return swapped

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        readonly = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        if obj is not None and self._masks(request):
            readonly = self._swap(readonly)
            readonly += [name + _SUFFIX for name in self.masked_text_fields if name + _SUFFIX not in readonly]
        return readonly

    def get_exclude(self, request, obj=None):  # type: ignore[no-untyped-def]
        exclude = super().get_exclude(request, obj)  # type: ignore[misc]
        if obj is None or not self._masks(request):
            return exclude
        # Never in the form: the masked text cannot be posted back over the real one.
        return [*(exclude or ()), *self.masked_text_fields]

    def get_list_display(self, request):  # type: ignore[no-untyped-def]
        names = super().get_list_display(request)  # type: ignore[misc]
        return self._swap(names) if self._masks(request) else names

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):  # type: ignore[no-untyped-def]
        if obj is not None and self.masked_text_fields:
            opts = self.model._meta  # type: ignore[attr-defined]
            free_text_reveal_log(
                user=request.user, obj=obj, fields=self.masked_text_fields, what=f"{opts.verbose_name} {obj}"
            )
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]

    def get_search_fields(self, request):  # type: ignore[no-untyped-def]
        fields = super().get_search_fields(request)  # type: ignore[misc]
        if not self._masks(request):
            return fields
        return [f for f in fields if f.split("__")[0] not in self.masked_text_fields]


__all__ = ["MaskedFreeTextAdminMixin"]


def _masked_inline_form(form_class: type, names: Sequence[str]) -> type:
    class MaskedFreeTextForm(form_class):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if self.instance.pk is None:
                return
            for name in names:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.initial[name] = mask_text(str(getattr(self.instance, name) or ""))

        def clean(self):  # type: ignore[no-untyped-def]
            cleaned = super().clean()
            if self.instance.pk is not None:
                # A disabled field cleans to its (masked) initial value: keep the stored text.
                for name in names:
                    if name in self.fields:
                        cleaned[name] = getattr(self.instance, name)
            return cleaned

    return MaskedFreeTextForm


class MaskedFreeTextInlineMixin:
    """For inlines: saved rows show `masked_text_fields` masked and locked for a user
    without the reveal permission; a new row is typed as usual; the stored text stays."""

    masked_text_fields: Sequence[str] = ()

    def get_formset(self, request, obj=None, **kwargs):  # type: ignore[no-untyped-def]
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        if self.masked_text_fields and not can_reveal_personal_data(request.user):
            formset.form = _masked_inline_form(formset.form, self.masked_text_fields)
        return formset
