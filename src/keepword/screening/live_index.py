"""A server's live screening index: loaded from the database in the background, then kept fresh.

A server starts answering at once; the screening routes say 503 (with Retry-After) until the
first build is in the holder. After that a :class:`~keepword.screening.follower.FeedFollower`
applies the feed, so a delisting reaches the answers within about a poll interval. A failed
build (the database not reachable yet) is retried until it succeeds or the server stops.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import Engine

from keepword.domain.identifiers import china_today
from keepword.screening.follower import FeedFollower
from keepword.screening.holder import IndexHolder
from keepword.screening.registry_source import build_index_from_db

log = logging.getLogger("keepword.screening.live")


class LiveIndex:
    """Loads ``holder`` from ``engine`` in a thread of its own, then follows the feed in it.

    ``today`` is the day whose entries in force the build keeps (the server's own day).
    """

    def __init__(self, engine: Engine, holder: IndexHolder, *, secret: str | bytes | None = None,
                 poll_seconds: float = 0.2, retry_seconds: float = 5.0,
                 today: Callable[[], date] = china_today) -> None:
        self.engine = engine
        self.today = today
        self.holder = holder
        self.secret = secret or None
        self.poll_seconds = poll_seconds
        self.retry_seconds = retry_seconds
        self.follower: FeedFollower | None = None
        self.load_seconds: float | None = None
        self.loaded_at: datetime | None = None
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin loading (returns at once)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._load_then_follow, name="screening-live-index", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def loading(self) -> bool:
        """Whether the first build is still under way (or being retried)."""
        return not self.holder.loaded and not self._stop.is_set()

    def feed_position(self) -> int | None:
        """The feed position the live index reflects at least (None before the first build)."""
        return self.follower.position if self.follower is not None else None

    def lag_positions(self) -> int | None:
        """Feed positions the live index is behind the head (asks the database)."""
        return self.follower.lag_positions() if self.follower is not None else None

    def _load_then_follow(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                index, position = build_index_from_db(self.engine, on=self.today(), secret=self.secret)
            except Exception as problem:  # noqa: BLE001 - the database may come up later: retry
                self.last_error = type(problem).__name__
                log.warning("screening index: loading from the database failed (%s); retrying in %s s",
                            type(problem).__name__, self.retry_seconds)
                self._stop.wait(self.retry_seconds)
                continue
            self.follower = FeedFollower(self.engine, self.holder, position=position,
                                         poll_seconds=self.poll_seconds, secret=self.secret)
            self.holder.swap(index)
            self.load_seconds = time.perf_counter() - started
            self.loaded_at = self.holder.swaps[-1].swapped_at
            self.last_error = None
            log.info("screening index loaded: %d entries at feed position %d in %.1f s", len(index), position,
                     self.load_seconds)
            self.follower.run(self._stop)
            return
