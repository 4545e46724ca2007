"""Alembic environment: runs on the connection that :mod:`deliberation._db` hands over."""

from alembic import context

from deliberation._schema import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `alembic` on the command line lands here
    raise RuntimeError("Run migrations through deliberation.Store (it passes a connection).")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: batch mode rebuilds tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
