"""The Alembic migrations build exactly the tables the models declare, on both back ends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from deliberation import Store
from deliberation._schema import Base


def test_migrated_schema_matches_the_models(store_url):
    store = Store(store_url)
    with store._engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    store.close()


def test_opening_twice_migrates_once(store_url):
    first = Store(store_url)
    d = first.create_deliberation("Question?", contexts=["Here"])
    first.close()
    second = Store(store_url)
    assert second.deliberation(d.id).question == "Question?"
    second.close()
