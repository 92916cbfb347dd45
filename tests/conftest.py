"""Shared fixtures: a migrated database per backend, a fake clock, a service context."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from keepword.bootstrap import build_context
from keepword.domain.courts import Court
from keepword.services.ports import FakeClock
from keepword.store.database import make_engine, migrate, normalize_url
from keepword.store.tables import metadata

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def _postgres_admin_url() -> str | None:
    url = os.environ.get("KEEPWORD_TEST_POSTGRES_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return DEFAULT_PG
    except OSError:
        return None


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh, migrated PostgreSQL database for this test run (skips when no server answers)."""
    admin = _postgres_admin_url()
    if admin is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is required in CI but none answers (set KEEPWORD_TEST_POSTGRES_URL)")
        pytest.skip("no PostgreSQL server")
    name = f"keepword_test_{uuid.uuid4().hex[:10]}"
    admin_engine = make_engine(admin, pool=False)
    with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = normalize_url(admin).rsplit("/", 1)[0]
    url = f"{base}/{name}"
    engine = make_engine(url, pool=False)
    migrate(engine)
    engine.dispose()
    yield url
    with admin_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


def _truncate(engine) -> None:
    names = [t.name for t in reversed(metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
        else:
            for n in names:
                conn.execute(text(f'DELETE FROM "{n}"'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    """A migrated engine on each backend: SQLite in a temp file, PostgreSQL emptied before each test."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        migrate(eng)
    else:
        eng = make_engine(request.getfixturevalue("postgres_url"))
        _truncate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def clock():
    return FakeClock(datetime(2024, 3, 4, 2, 0, tzinfo=timezone.utc))


@pytest.fixture
def ctx(engine, clock):
    """Services on the test database with the default policy and one basic court (id 330102)."""
    context = build_context(engine, clock=clock)
    with context.uow() as uow:
        uow.courts.add(Court(id="330000", name="浙江省高级人民法院", province="浙江", level="high"))
        uow.courts.add(Court(id="330100", name="杭州市中级人民法院", province="浙江", level="intermediate",
                             parent_id="330000"))
        uow.courts.add(Court(id="330102", name="杭州市上城区人民法院", province="浙江", level="basic",
                             parent_id="330100"))
        uow.commit()
    return context
