"""The columns an approval freezes, derived from the model rather than listed by hand.

A guarded model declares the few fields that may still change once its row is
locked; every other column, one added later included, is then frozen alike by
the ORM guard and by the database trigger, since both start from `_meta`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pgtrigger
from django.db import models


def frozen_columns(model: type[models.Model], *, mutable: Iterable[str]) -> tuple[str, ...]:
    """Every concrete column of `model` except its primary key and the `mutable` fields.

    Field order, so the trigger condition reads exactly as migrated. The primary
    key identifies the row: Django never writes it in an UPDATE.
    """
    mutable = frozenset(mutable)
    return tuple(
        field.column
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in mutable
    )


def changed_sql(columns: Iterable[str], *, distinct: str = "IS DISTINCT FROM") -> str:
    """True when any of `columns` differs between OLD and NEW; SQLite spells the operator `IS NOT`."""
    return " OR ".join(f'OLD."{column}" {distinct} NEW."{column}"' for column in columns)


class LazyCondition(pgtrigger.Condition):
    """A trigger condition written when pgtrigger compiles the trigger.

    `Meta.triggers` is evaluated inside the class body, before `_meta` has the
    model's fields; by compile time (migrations, installation) it has them all.
    """

    def __init__(self, build: Callable[[], str]) -> None:
        self.build = build

    def resolve(self, model: type[models.Model]) -> str:
        return self.build()
