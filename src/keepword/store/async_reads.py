"""Reads of one statement on PostgreSQL, on the event loop: no worker thread, no pool checkout.

A case read on PostgreSQL spent more of the server's CPU handing the read to a worker thread, checking
a connection out of the pool (with its ping) and back, than running it. Here each event loop keeps up
to ``size`` psycopg async connections in autocommit mode: a read takes a free one (or opens one, or
waits for one), runs its statement as it is, prepared (planned once per connection) and gives it back; the loop
serves other requests while the database answers. One statement reads one consistent snapshot, so no
transaction is needed. A connection that fails is closed and dropped; a read that finds a kept
connection broken (the server restarted) is run once more on a new one, as the pool's ping would have
spared it. :func:`close_async_readers` closes every kept connection (the app's shutdown).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections import deque

import psycopg
from sqlalchemy import Engine


class _LoopReaders:
    """The connections one event loop keeps for one engine."""

    def __init__(self, conninfo: str, size: int) -> None:
        self.conninfo = conninfo
        self.size = size
        self.free: list[psycopg.AsyncConnection] = []
        self.opened: set[psycopg.AsyncConnection] = set()
        self.opening = 0
        self.waiting: deque[asyncio.Future] = deque()

    async def _take(self) -> tuple[psycopg.AsyncConnection, bool]:
        """A free connection (False) or a new one (True), waiting while ``size`` are in use."""
        while True:
            if self.free:
                return self.free.pop(), False
            if len(self.opened) + self.opening < self.size:
                self.opening += 1  # counted before the await: others meanwhile must not open one too
                try:
                    connection = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True,
                                                                       cursor_factory=psycopg.AsyncRawCursor)
                except BaseException:
                    self._wake_one()  # its place is free again
                    raise
                finally:
                    self.opening -= 1
                self.opened.add(connection)
                return connection, True
            waiting = asyncio.get_running_loop().create_future()
            self.waiting.append(waiting)
            try:
                await waiting
            except asyncio.CancelledError:
                if waiting.done() and not waiting.cancelled():
                    self._wake_one()  # woken, then cancelled: the wake-up goes to the next in line
                raise

    def _wake_one(self) -> None:
        while self.waiting:
            waiting = self.waiting.popleft()
            if not waiting.done():
                waiting.set_result(None)
                return

    def _give_back(self, connection: psycopg.AsyncConnection) -> None:
        self.free.append(connection)
        self._wake_one()

    async def _drop(self, connection: psycopg.AsyncConnection) -> None:
        self.opened.discard(connection)
        try:
            await connection.close()
        finally:
            self._wake_one()

    async def fetch(self, sql: str, parameters) -> list[tuple]:
        for _attempt in range(2):
            connection, fresh = await self._take()
            try:
                cursor = await connection.execute(sql, parameters, prepare=True)
                rows = await cursor.fetchall()
            except psycopg.OperationalError:
                await self._drop(connection)
                if fresh:
                    raise
                continue  # a kept connection the server closed: once more, on a new one
            except BaseException:
                await self._drop(connection)
                raise
            self._give_back(connection)
            return rows
        raise AssertionError("unreachable")

    def close(self) -> None:
        opened, self.opened, self.free = self.opened, set(), []
        for connection in opened:
            connection.pgconn.finish()  # no round trip: safe from any thread, whatever became of the loop


class _Readers:
    def __init__(self, engine: Engine, size: int) -> None:
        self.conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.size = size
        self.by_loop: dict[asyncio.AbstractEventLoop, _LoopReaders] = {}
        self.lock = threading.Lock()

    def on(self, loop: asyncio.AbstractEventLoop) -> _LoopReaders:
        readers = self.by_loop.get(loop)
        if readers is None:
            with self.lock:
                # A server runs one loop; a test client may run one per request: those that ended go.
                for ended in [other for other in self.by_loop if other.is_closed()]:
                    self.by_loop.pop(ended).close()
                readers = self.by_loop.setdefault(loop, _LoopReaders(self.conninfo, self.size))
        return readers

    def close(self) -> None:
        with self.lock:
            every, self.by_loop = list(self.by_loop.values()), {}
        for readers in every:
            readers.close()


_ASYNC_READERS: weakref.WeakKeyDictionary[Engine, _Readers] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


async def async_read(engine: Engine, sql: str, parameters, *, size: int = 4) -> list[tuple]:
    """The rows of one statement ``sql`` on a PostgreSQL ``engine``, its parameters written as PostgreSQL
    writes them (``$1``; the statement is sent as it is, without psycopg's conversion from ``%s``)."""
    readers = _ASYNC_READERS.get(engine)
    if readers is None:
        with _LOCK:
            readers = _ASYNC_READERS.get(engine)
            if readers is None:
                readers = _ASYNC_READERS[engine] = _Readers(engine, size)
                weakref.finalize(engine, readers.close)  # an engine dropped without a shutdown
    return await readers.on(asyncio.get_running_loop()).fetch(sql, parameters)


def close_async_readers(engine: Engine) -> None:
    """Close the connections reads keep on ``engine``; later reads open new ones."""
    with _LOCK:
        readers = _ASYNC_READERS.pop(engine, None)
    if readers is not None:
        readers.close()
