"""The Alembic migrations build exactly the schema of store/tables.py, and go down and up again."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from keepword.store.database import alembic_config, make_engine, migrate
from keepword.store.tables import metadata


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request, tmp_path):
    """An engine on a database with no tables at all (a throwaway database on PostgreSQL)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}", pool=False)
        yield engine
        engine.dispose()
        return
    server = request.getfixturevalue("postgres_url").rsplit("/", 1)[0]
    name = f"keepword_migrations_{uuid.uuid4().hex[:10]}"
    admin = make_engine(f"{server}/postgres", pool=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(f"{server}/{name}", pool=False)
    yield engine
    engine.dispose()
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def schema_differences(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def table_names(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_migrations_build_exactly_the_declared_schema(empty_engine):
    migrate(empty_engine)
    assert table_names(empty_engine) == set(metadata.tables)
    assert schema_differences(empty_engine) == []
    # The comparison does see a difference when there is one.
    with empty_engine.begin() as conn:
        conn.execute(text("CREATE TABLE stray (id INTEGER PRIMARY KEY)"))
        conn.execute(text("DROP INDEX ix_listings_deletion_due"))
    differences = {(d[0], getattr(d[1], "name", None)) for d in schema_differences(empty_engine)}
    assert differences == {("remove_table", "stray"), ("add_index", "ix_listings_deletion_due")}


def test_downgrade_to_base_and_upgrade_again(empty_engine):
    config = alembic_config(empty_engine)
    migrate(empty_engine)
    command.downgrade(config, "base")
    assert table_names(empty_engine) == set()
    migrate(empty_engine)
    assert schema_differences(empty_engine) == []
    # Each migration also goes down and up again on its own.
    revisions = [r.revision for r in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))]
    assert revisions[0] == "0001"
    for revision in reversed(revisions):
        command.downgrade(config, "-1")
        migrate(empty_engine, revision)
        command.downgrade(config, "-1")
    assert table_names(empty_engine) == set()
    migrate(empty_engine)
    assert schema_differences(empty_engine) == []
