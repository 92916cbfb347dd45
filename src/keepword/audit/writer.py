"""Group commit of audit entries that stand alone (reads of personal data): many requests, one transaction.

A request hands its entry to the writer and waits until the batch holding it has committed, so an
answer never leaves before its audit entry is committed (docs/adr/0004-group-commit-of-read-audits.md).
One background thread appends the waiting entries in batches, each batch one transaction chained
after the last entry under the trail's lock; concurrent requests share that transaction instead of
queueing for the write lock one by one. The thread starts with the first entry and ends after a
while without any; ``close`` flushes what is queued and stops it (app shutdown).

Coroutines gather their entries on their own event loop first (for ``max_wait``, or until a batch is
full) and hand them to the thread as one item: a request then costs no thread hand-off of its own,
and a batch wakes the thread once and the loop once.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from keepword.audit.entries import AuditEntry
from keepword.audit.trail import AuditTrail

log = logging.getLogger(__name__)

_STOP = object()


@dataclass(frozen=True)
class _Pending:
    """An entry and who waits for it: a thread (``done``) or a coroutine (``waiting``, on ``loop``)."""
    entry: AuditEntry
    done: Future | None = None
    loop: asyncio.AbstractEventLoop | None = None
    waiting: asyncio.Future | None = None


def _settle(outcomes: list[tuple[asyncio.Future, int | BaseException]]) -> None:
    """On the event loop: hand each waiting coroutine its sequence number or error."""
    for waiting, outcome in outcomes:
        if waiting.done():
            continue  # the request went away meanwhile; its entry is committed all the same
        if isinstance(outcome, BaseException):
            waiting.set_exception(outcome)
        else:
            waiting.set_result(outcome)


class AuditWriter:
    """Appends entries in batches of up to ``max_batch``, gathering for at most ``max_wait`` seconds.

    ``max_wait`` trades latency for fewer commits. Where requests cost far less than a commit (the
    case read), 2 ms of gathering makes batches of a dozen and saves the server most of its commits;
    where few requests are in flight and each is cheap (a screening replica's checks), the wait
    itself bounds the throughput, and ``max_wait=0`` hands entries over on the next turn of the event
    loop: what queues while the thread commits still goes as one batch."""

    def __init__(self, engine: Engine, trail: AuditTrail, *, max_batch: int = 256, max_wait: float = 0.002,
                 idle_seconds: float = 5.0) -> None:
        self.engine = engine
        self.trail = trail
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        # Per event loop, the entries its coroutines handed in since its last hand-over to the thread.
        self._gathering: dict[asyncio.AbstractEventLoop, list[_Pending]] = {}

    # ---- what requests call ------------------------------------------------------------------------
    def submit(self, entry: AuditEntry) -> Future:
        """Queue ``entry``; the future completes with its sequence number once committed."""
        pending = _Pending(entry, done=Future())
        self._enqueue(pending)
        return pending.done

    def write(self, entry: AuditEntry) -> int:
        """Append ``entry`` and wait until it is committed; returns its sequence number."""
        return self.submit(entry).result()

    async def write_async(self, entry: AuditEntry) -> int:
        """``write`` for a coroutine: waits without holding a thread. The entry joins those gathered on
        this event loop, handed to the thread together after ``max_wait`` (or once ``max_batch`` are
        waiting); a batch wakes the event loop once, not once per entry."""
        loop = asyncio.get_running_loop()
        pending = _Pending(entry, loop=loop, waiting=loop.create_future())
        gathering = self._gathering.get(loop)
        if gathering is None:
            gathering = self._gathering[loop] = []
            if self.max_wait > 0:
                loop.call_later(self.max_wait, self._hand_over, loop)
            else:  # the entries of this turn of the loop; the thread batches what queues while it commits
                loop.call_soon(self._hand_over, loop)
        gathering.append(pending)
        if len(gathering) >= self.max_batch:
            self._hand_over(loop)
        return await pending.waiting

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        """On ``loop``: what its coroutines gathered goes to the thread, as one item."""
        gathered = self._gathering.pop(loop, None)
        if gathered:
            self._enqueue(gathered)

    def _enqueue(self, item: _Pending | list[_Pending]) -> None:
        """Into the queue (one entry, or a list gathered on an event loop), starting the thread if none
        runs; after ``close``, appended at once in the caller's thread: never dropped."""
        with self._lock:
            if not self._closed:
                self._queue.put(item)
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="keepword-audit-writer", daemon=True)
                    self._thread.start()
                return
        batch = item if isinstance(item, list) else [item]
        self._finish(batch, self._commit(batch))

    def close(self, timeout: float = 30.0) -> None:
        """Commit everything queued, then stop the thread; later entries are appended by their callers."""
        with self._lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(_STOP)
        if thread is not None:
            thread.join(timeout)

    # ---- the writer thread -------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._serve()
        except BaseException as exc:
            # The next entry starts a new thread, which takes over what is queued.
            log.error("audit writer stopped by %s", type(exc).__name__)
            with self._lock:
                self._thread = None
            raise

    def _serve(self) -> None:
        # One connection while the thread runs: a batch then costs its transaction and no pool checkout.
        with self.engine.connect() as conn:
            while True:
                try:
                    first = self._queue.get(timeout=self.idle_seconds)
                except queue.Empty:
                    with self._lock:  # submit queues under the same lock: nothing can slip in unseen
                        if self._queue.empty():
                            self._thread = None
                            return
                    continue
                if first is _STOP:
                    return
                batch, stop = self._gather(first)
                self._finish(batch, self._commit(batch, conn))
                if stop:
                    return

    def _gather(self, first: _Pending | list[_Pending]) -> tuple[list[_Pending], bool]:
        """``first`` and what else is queued (up to about ``max_batch``); True on the stop mark.

        A single entry (from a thread) waits ``max_wait`` for company first; the thread sleeps through
        the wait rather than waking for every entry: a request costs the thread no switch of its own, a
        batch costs one. A list was gathered on an event loop already and goes at once.
        """
        if isinstance(first, list):
            batch = list(first)
        else:
            if self.max_wait > 0:
                time.sleep(self.max_wait)
            batch = [first]
        while len(batch) < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return batch, True
            if isinstance(item, list):
                batch.extend(item)
            else:
                batch.append(item)
        return batch, False

    def _commit(self, batch: Sequence[_Pending], conn: Connection | None = None) -> list[int | BaseException]:
        """One transaction for the whole batch; each entry's sequence number, or the error that refused it."""
        try:
            if conn is None:
                with self.engine.begin() as own:
                    return self.trail.append(own, [p.entry for p in batch])
            with conn.begin():
                return self.trail.append(conn, [p.entry for p in batch])
        except Exception as exc:  # noqa: BLE001 - handed to the waiting requests, which answer 500
            if len(batch) > 1:
                # One entry the database refuses must not fail its neighbours: each alone, in order.
                return [outcome for pending in batch for outcome in self._commit([pending], conn)]
            log.error("audit entry not written: %s", type(exc).__name__)
            return [exc]

    @staticmethod
    def _finish(batch: Sequence[_Pending], outcomes: list[int | BaseException]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list] = {}
        for pending, outcome in zip(batch, outcomes):
            if pending.done is not None:
                if isinstance(outcome, BaseException):
                    pending.done.set_exception(outcome)
                else:
                    pending.done.set_result(outcome)
            else:
                by_loop.setdefault(pending.loop, []).append((pending.waiting, outcome))
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, settled)
            except RuntimeError:  # that event loop is closed: nobody is waiting any more
                pass
