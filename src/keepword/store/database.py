"""Engines and migrations for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from keepword.domain.errors import ValidationFailed

MIGRATIONS = Path(__file__).parent / "migrations"


def normalize_url(url: str) -> str:
    """Accept URLs as people write them: ``postgresql://user@host:port/db``, ``sqlite:///file.db`` or a file path."""
    url = url.strip()
    if "://" not in url:
        return f"sqlite:///{url}"
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if not url.startswith(("sqlite", "postgresql+psycopg")):
        raise ValidationFailed("database_url", "only sqlite:/// and postgresql:// URLs are supported")
    return url


def make_engine(url: str, *, pool: bool = True, echo: bool = False) -> Engine:
    """An engine with the pragmas and options keepword relies on."""
    real = normalize_url(url)
    if real.startswith("sqlite"):
        path = make_url(real).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(real, echo=echo, connect_args={"timeout": 30, "check_same_thread": False},
                               poolclass=None if pool else NullPool)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    kwargs = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20} if pool else {"poolclass": NullPool}
    return create_engine(real, echo=echo, **kwargs)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Python's sqlite3 opens transactions lazily; take control so that BEGIN IMMEDIATE serialises writers.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` by running the Alembic migrations."""
    command.upgrade(alembic_config(engine), revision)


def is_initialised(engine: Engine) -> bool:
    return inspect(engine).has_table("cases")
