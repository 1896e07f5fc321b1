"""学段 in admin forms: ticks with Chinese names to edit, the names (not the codes) to read."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from students.forms import stages_formfield
from students.models import Stage


def stages_display(codes: str) -> str:
    labels = dict(Stage.choices)
    return "、".join(str(labels.get(code, code)) for code in codes.split(",") if code)


class StagesAdminMixin:
    """For a model with a comma-separated `stages` column (schools, policies).

    `readable_fields` maps other raw columns to the display a read-only page shows instead.
    """

    readable_fields: dict[str, str] = {}

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "stages":
            return stages_formfield(db_field)
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]

    def get_fieldsets(self, request: Any, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        if obj is None or self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            return fieldsets
        # A read-only page shows each field's raw value: read the stages' names instead.
        readable = {"stages": "stages_names", **self.readable_fields}
        return [
            (name, {**options, "fields": [readable.get(f, f) for f in options["fields"]]})
            for name, options in fieldsets
        ]

    @admin.display(description=_("学段"))
    def stages_names(self, obj: Any) -> str:
        return stages_display(obj.stages)
