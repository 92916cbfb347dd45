"""Alembic environment: runs against the engine keepword hands over (or KEEPWORD_DATABASE_URL)."""

from __future__ import annotations

from alembic import context

from keepword.store.tables import metadata

config = context.config


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from keepword.settings import Settings
        from keepword.store.database import make_engine

        engine = make_engine(Settings().database_url, pool=False)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
