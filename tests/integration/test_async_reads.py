"""Reads on PostgreSQL on the event loop: each sees the latest commit, they share a few kept connections,
a connection the server closed costs no failed read, and shutdown closes them all."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text

from loop_support import run_coroutine
from keepword.store.async_reads import async_read, close_async_readers
from keepword.store.database import make_engine

pytestmark = pytest.mark.postgres

COUNT = "SELECT count(*) FROM courts WHERE id = $1"


@pytest.fixture
def engine(postgres_url):
    engine = make_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM courts WHERE id LIKE 'ar%'"))
    yield engine
    close_async_readers(engine)
    engine.dispose()


def _add_court(engine, court_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO courts (id, name, province, level, timezone) VALUES (:id, 'test court', '浙江', 'basic', 'Asia/Shanghai')"),
                     {"id": court_id})


def _backends(engine) -> set[int]:
    """The server processes of the connections reads keep (other than this check's own)."""
    with engine.connect() as conn:
        return set(conn.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND query LIKE 'SELECT count(*) FROM courts%'")).scalars())


def test_each_read_sees_the_latest_commit(engine):
    async def reads():
        before = await async_read(engine, COUNT, ("ar1",))
        _add_court(engine, "ar1")
        after = await async_read(engine, COUNT, ("ar1",))
        return before, after

    assert run_coroutine(reads()) == ([(0,)], [(1,)])


def test_many_reads_at_once_share_the_kept_connections(engine):
    _add_court(engine, "ar2")

    async def reads():
        answers = await asyncio.gather(*(async_read(engine, COUNT, ("ar2",), size=3) for _ in range(40)))
        return answers, _backends(engine)

    answers, backends = run_coroutine(reads())
    assert answers == [[(1,)]] * 40
    assert 1 <= len(backends) <= 3


def test_a_connection_the_server_closed_costs_no_failed_read(engine):
    _add_court(engine, "ar3")

    async def reads():
        first = await async_read(engine, COUNT, ("ar3",))
        kept = list(_backends(engine))
        assert kept  # the read above kept its connection
        with engine.connect() as conn:  # as a server restart would: every kept connection goes
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
                         {"pids": kept})
        second = await async_read(engine, COUNT, ("ar3",))
        return first, second

    assert run_coroutine(reads()) == ([(1,)], [(1,)])


def test_shutdown_closes_the_kept_connections(engine):
    async def read():
        return await async_read(engine, COUNT, ("ar4",))

    run_coroutine(read())
    assert _backends(engine), "a connection is kept after the read"
    close_async_readers(engine)
    for _ in range(50):
        if not _backends(engine):
            break
        time.sleep(0.05)
    assert not _backends(engine)
