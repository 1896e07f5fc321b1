"""Every column of a guarded model is either declared mutable or frozen by its trigger.

A guarded model is one with a pgtrigger `Protect` on UPDATE. Most freeze the
whole row; a column guard (its condition compares OLD and NEW columns) freezes
every column but the few its model declares mutable once locked, in the ORM guard
and in the trigger alike.
"""

from __future__ import annotations

import re

import pgtrigger
import pytest
from django.apps import apps
from django.db import connection, models
from django.test.utils import isolate_apps

from subsidies.models import (
    ENTITLEMENT_FROZEN_COLUMNS,
    ENTITLEMENT_MUTABLE_FIELDS,
    ENTRY_FROZEN_COLUMNS,
    ENTRY_MUTABLE_FIELDS,
    Entitlement,
    LedgerEntry,
)
from subsidies.models.frozen import frozen_columns

# What each column guard lets change on a locked row, as the model module declares it.
MUTABLE = {Entitlement: ENTITLEMENT_MUTABLE_FIELDS, LedgerEntry: ENTRY_MUTABLE_FIELDS}
FROZEN = {Entitlement: ENTITLEMENT_FROZEN_COLUMNS, LedgerEntry: ENTRY_FROZEN_COLUMNS}

# `OLD."c" IS DISTINCT FROM NEW."c"` as written, `old.c IS DISTINCT FROM new.c` or
# `(old.c)::text IS DISTINCT FROM (new.c)::text` as PostgreSQL prints it back, and
# `OLD."c" IS NOT NEW."c"` in SQLite's copy.
COMPARED = re.compile(
    r'\(?old\."?(\w+)"?\)?(?:::\w+)? IS (?:DISTINCT FROM|NOT) \(?new\."?\1"?\)?(?:::\w+)?', re.IGNORECASE
)


def _update_guards() -> list[tuple[type[models.Model], pgtrigger.Protect]]:
    return [
        (model, trigger)
        for model in apps.get_models()
        for trigger in getattr(model._meta, "triggers", ())
        if isinstance(trigger, pgtrigger.Protect) and "UPDATE" in str(trigger.operation)
    ]


def _column_guard(model: type[models.Model]) -> str:
    """The condition of `model`'s column guard, as pgtrigger compiles it into the migration."""
    (condition,) = (
        trigger.render_condition(model)
        for guarded, trigger in _update_guards()
        if guarded is model and 'NEW."' in trigger.render_condition(model)
    )
    return condition


def _installed_triggers(model: type[models.Model]) -> str:
    """The definitions of the triggers the database holds on `model`'s table."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        else:
            cursor.execute(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        return "\n".join(row[0] for row in cursor.fetchall())


def test_it_finds_the_guarded_models_and_every_column_guard_declares_its_mutable_fields():
    guarded = {model for model, _ in _update_guards()}
    column_guarded = {model for model, trigger in _update_guards() if 'NEW."' in trigger.render_condition(model)}
    assert {m._meta.object_name for m in guarded} >= {
        "Entitlement", "DisbursementBatch", "LedgerEntry", "Reversal", "BankResult", "LedgerLog"
    }
    assert column_guarded == set(MUTABLE)


@pytest.mark.parametrize("model", list(MUTABLE), ids=lambda m: m.__name__)
def test_every_column_is_declared_mutable_or_frozen_by_the_trigger(model):
    compared = set(COMPARED.findall(_column_guard(model)))
    for field in model._meta.concrete_fields:
        exempt = field.primary_key or field.name in MUTABLE[model]
        assert (field.column in compared) != exempt, field.name
    assert compared == set(FROZEN[model])


def test_the_declared_mutable_fields_are_fields_of_the_model():
    for model, mutable in MUTABLE.items():
        assert mutable <= {field.name for field in model._meta.concrete_fields}, model.__name__


@isolate_apps("subsidies")
def test_a_column_added_later_is_frozen_without_a_list_to_edit():
    class Guarded(models.Model):
        kept = models.IntegerField()
        state = models.CharField(max_length=8)
        added_later = models.ForeignKey("students.Township", on_delete=models.PROTECT)

        class Meta:
            app_label = "subsidies"

        def __str__(self) -> str:
            return str(self.kept)

    assert frozen_columns(Guarded, mutable={"state"}) == ("kept", "added_later_id")


@pytest.mark.django_db
def test_the_installed_triggers_compare_exactly_the_frozen_columns():
    # SQLite holds only the entitlement guard (subsidies.apps installs it after every migrate).
    installed = [Entitlement] if connection.vendor == "sqlite" else list(MUTABLE)
    for model in installed:
        assert set(COMPARED.findall(_installed_triggers(model))) == set(FROZEN[model]), model.__name__
