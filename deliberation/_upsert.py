"""One statement "insert, or replace the earlier answer" on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

__all__ = ["upsert"]


def upsert(
    session: Session, model: Any, values: dict[str, Any], keys: Sequence[str]
) -> int:
    """Insert ``values`` into ``model``'s table, or update the row with the same ``keys``.

    Atomic in the database (``INSERT ... ON CONFLICT (keys) DO UPDATE``), so two concurrent
    answers to the same question leave exactly one row: the later one. Returns the row id.
    """
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = model.__table__
    full = {
        column.name: column.default.arg(None)
        for column in table.columns
        if column.name not in values and column.default is not None and callable(column.default.arg)
    }
    full.update(values)
    statement = insert(table).values(**full)
    changed = {name: statement.excluded[name] for name in full if name not in keys}
    statement = statement.on_conflict_do_update(index_elements=list(keys), set_=changed)
    return int(session.execute(statement.returning(table.c.id)).scalar_one())
