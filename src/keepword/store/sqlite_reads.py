"""Reads on SQLite on a connection each thread keeps, out of the pool.

For a read of one small statement, checking a connection out of the pool and back costs about as
much as the statement. Here each thread keeps a connection of the engine's own making (its pragmas)
and runs statements in autocommit mode: each reads the latest commit (WAL) without a transaction,
so nothing needs resetting between reads. A thread's connection closes when the thread ends, or
all of an engine's with :func:`close_readers` (the app's shutdown; later reads open new ones).
"""

from __future__ import annotations

import threading
import weakref

from sqlalchemy import Engine


class _Readers:
    """Per thread, a connection of the engine's own making (its pragmas), kept out of the pool. The engine
    itself is not held: the readers are dropped with it (a weak key below)."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.opened: list = []
        self.lock = threading.Lock()

    def fetch(self, engine: Engine, sql: str, parameters) -> list[tuple]:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            pooled = engine.raw_connection()
            pooled.detach()  # never returned to the pool
            connection = self.local.connection = pooled.dbapi_connection
            with self.lock:
                self.opened.append(connection)
        try:
            return connection.execute(sql, parameters).fetchall()
        except BaseException:
            self.local.connection = None  # a fault may have left it unusable: the next read opens another
            connection.close()
            raise

    def close(self) -> None:
        with self.lock:
            opened, self.opened = self.opened, []
        for connection in opened:
            connection.close()


_SQLITE_READERS: weakref.WeakKeyDictionary[Engine, _Readers] = weakref.WeakKeyDictionary()
_READERS_LOCK = threading.Lock()


def sqlite_read(engine: Engine, sql: str, parameters) -> list[tuple]:
    """The rows of one statement ``sql`` (in the driver's own parameter style) on a SQLite ``engine``."""
    readers = _SQLITE_READERS.get(engine)
    if readers is None:
        with _READERS_LOCK:
            readers = _SQLITE_READERS.setdefault(engine, _Readers())
    return readers.fetch(engine, sql, parameters)


def close_readers(engine: Engine) -> None:
    """Close the connections case reads keep on ``engine`` (SQLite); later reads open new ones."""
    with _READERS_LOCK:
        readers = _SQLITE_READERS.pop(engine, None)
    if readers is not None:
        readers.close()
