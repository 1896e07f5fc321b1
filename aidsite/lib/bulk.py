"""The reviewed bulk insert (SECURITY E6): many rows into one table, every value bound as data.

This is `bulk_create` without its per-value SQL compilation, which costs more
than everything else of a county-wide computation (about 100 µs a row, history
included, against a budget of 100,000 students in under 10 s). The statement
holds only the model's own table and column names, quoted by the backend;
every value is a bound parameter, adapted by the field's own
`get_db_prep_save`, so no SQL is ever built from data. One `executemany`
(SQLite) or `COPY` (PostgreSQL) per call keeps the number of statements
independent of the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

# Columns whose Python values the database drivers take as they are: for these
# `get_db_prep_save` returns an int, str or bool unchanged.
_PLAIN_TYPES = {
    "AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField",
    "CharField", "TextField", "BooleanField",
}


def _adapter(field: Field, db: BaseDatabaseWrapper, cache: dict[Any, Any]) -> Callable[[Any], Any]:
    """A function turning a Python value of `field` into the value the driver binds."""
    target = field.target_field if field.is_relation else field
    plain = target.get_internal_type() in _PLAIN_TYPES
    prep = field.get_db_prep_save
    column = field.column

    def adapt(value: Any) -> Any:
        if value is None or (plain and type(value) in (int, str, bool)):
            return value
        # Repeated values (a foreign key, an amount, the time, one dict shared by a
        # row and its history row) are adapted once.
        key = (column, id(value)) if isinstance(value, dict | list) else (column, type(value), value)
        try:
            return cache[key]
        except KeyError:
            cache[key] = adapted = prep(value, db)
            return adapted

    return adapt


def insert_rows(
    model: type[Model],
    fields: Sequence[Field],
    rows: Sequence[Sequence[Any]],
    *,
    cache: dict[Any, Any] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """INSERT `rows` (values in `fields` order) into `model`'s table with one statement.

    Pass the same `cache` to several calls that share values (a table and its
    history table) to adapt each shared value once. Nothing is returned: read
    the new primary keys back by a natural key if they are needed.
    """
    if not rows:
        return
    db = connections[using]
    quote = db.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    cache = {} if cache is None else cache
    adapters = [_adapter(f, db, cache) for f in fields]
    params = [[adapt(v) for adapt, v in zip(adapters, row, strict=True)] for row in rows]
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            # PostgreSQL's own bulk path: COPY streams the rows as data in one statement
            # (Django's client-side-binding cursor would parse and plan one INSERT per row).
            with db.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in params:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            # Identifiers from model metadata only, quoted; every value is a parameter.
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", params)  # noqa: S608
