"""Writes that run on a thread of their own while the caller prepares the next ones (a bulk import's chunks).

A chunk's rows take SQLite about as long to insert as the Python work of checking the next chunk, and the
driver lets other threads run while SQLite executes a statement: with the insert on a second thread, a
two-core machine does both at once. One write at a time, in the order they were started; after a write
fails, the ones started after it do not run. The caller must not use the connection until
:meth:`WriteBehind.wait` has returned, and learns there whether the writes failed.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable

#: How often the interpreter hands its lock to another thread that waits for it, while writes run. The writer
#: wants it back after each statement; at the default 5 ms, each statement could cost it 5 ms of waiting.
SWITCH_INTERVAL = 0.001


class WriteBehind:
    """Runs the started writes in order on a thread of its own (or, with ``threaded=False``, at once on the
    caller's); :meth:`wait` waits for them and raises what the first one to fail raised. :meth:`close` ends
    the thread."""

    def __init__(self, *, threaded: bool = True) -> None:
        self.threaded = threaded
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._closing = False
        self._interval: float | None = None  # the interpreter's switch interval before the writes began

    def start(self, write: Callable[[], None]) -> None:
        """Run ``write`` once the writes started before it are done, unless one of them failed."""
        if not self.threaded:
            if self._error is None:
                self._run(write)
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="keepword-write-behind", daemon=True)
            self._thread.start()
        if self._interval is None:
            self._interval = sys.getswitchinterval()
            sys.setswitchinterval(min(self._interval, SWITCH_INTERVAL))
        self._jobs.put(write)

    def wait(self) -> None:
        """Wait for every write started; raise the exception of the one that failed, if one did."""
        if self._thread is not None:
            self._jobs.join()
        if self._interval is not None:
            sys.setswitchinterval(self._interval)
            self._interval = None
        error, self._error = self._error, None
        if error is not None:
            raise error

    def close(self) -> None:
        """End the thread: the write running finishes, those still waiting are dropped (the caller has waited
        for them already, or gave up on them)."""
        if self._thread is not None:
            self._closing = True
            self._jobs.put(None)
            self._thread.join()
            self._thread = None
            self._closing = False
        if self._interval is not None:
            sys.setswitchinterval(self._interval)
            self._interval = None
        self._error = None

    def _work(self) -> None:
        while True:
            write = self._jobs.get()
            try:
                if write is None:
                    return
                if self._error is None and not self._closing:
                    self._run(write)
            finally:
                self._jobs.task_done()

    def _run(self, write: Callable[[], None]) -> None:
        try:
            write()
        except BaseException as exc:  # handed to the waiting caller, who decides
            self._error = exc
