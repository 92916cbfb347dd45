"""Keeps a live screening index in step with the database by following the feed (the outbox).

For every listing or restriction event after its position, the follower re-reads the affected
party's current entry and applies it: ``EntryListed`` with the entry, or ``EntryDelisted`` when
the party is neither listed nor restricted any more. Re-reading the current state makes every
step idempotent and order-safe: applying an event twice, or late, leaves the right entry.

Start it from the position :func:`~keepword.screening.registry_source.build_index_from_db`
returned with the index::

    index, position = build_index_from_db(engine)
    holder.swap(index)
    follower = FeedFollower(engine, holder, position=position)
    follower.start()

Commits reach the feed once the sequencer gives them positions; the follower runs the sequencer
itself (without waiting, as the pull feed does), so it needs no relay beside it. On PostgreSQL it
also wakes on the outbox and sequencer notifications instead of waiting for the next poll.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, select

from keepword.domain.errors import ValidationFailed
from keepword.domain.identifiers import china_today
from keepword.feeds.sequencer import head_position, purged_through, sequence_pending
from keepword.screening.holder import IndexHolder, SwapRecord
from keepword.screening.registry_entries import EntryDelisted, EntryListed
from keepword.screening.registry_source import BuildProgress, build_index_from_db, current_entries, read_only_engine
from keepword.store import tables as t

log = logging.getLogger("keepword.screening.follower")

#: Outbox event types that can change a party's registry entry; every other type is skipped.
REGISTRY_EVENTS = frozenset({
    "DebtorListed", "ListingDeleted", "ListingRevoked", "ListingCorrected", "ListingTermExtended",
    "RestrictionOrdered", "RestrictionLifted",
})
#: Outbox rows read per round.
BATCH = 1000
_NOTIFY_CHANNELS = ("keepword_outbox", "keepword_feed")  # a commit with events; new positions


def _now() -> datetime:
    return datetime.now(timezone.utc)


class FeedFollower:
    """Applies the feed after ``position`` to ``holder``: call :meth:`catch_up`, or :meth:`start` a thread.

    ``poll_seconds`` is the longest a commit waits to be noticed (PostgreSQL's notifications
    usually wake the follower sooner). ``secret`` is the privacy-mode secret :meth:`rebuild`
    builds with, as for :meth:`ScreeningIndex.build`.
    """

    def __init__(self, engine: Engine, holder: IndexHolder, *, position: int, poll_seconds: float = 0.2,
                 secret: bytes | str | None = None) -> None:
        if position < 0:
            raise ValidationFailed("position", "must be 0 or a feed position")
        if poll_seconds <= 0:
            raise ValidationFailed("poll_seconds", "must be above 0")
        self.engine = engine
        self.holder = holder
        self._reader = read_only_engine(engine)  # on SQLite, reading must not take the write lock
        self.poll_seconds = poll_seconds
        self.secret = secret
        #: When an event was last applied to the index, and when the follower last reached the head.
        self.last_applied_at: datetime | None = None
        self.last_caught_up_at: datetime | None = None
        self._position = position
        self._catching_up = threading.Lock()
        # One rebuild at a time: a second swap would drop what was applied after the first one.
        self._rebuilding = threading.Lock()
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def position(self) -> int:
        """The last feed position applied: every event up to it is reflected in the live index."""
        return self._position

    def catch_up(self) -> int:
        """Apply every event sequenced so far (sequencing committed ones first); return how many
        registry events were applied."""
        with self._catching_up:
            sequence_pending(self.engine, wait=False)  # another sequencer running is fine: it sequences
            applied = 0
            while True:
                with self._reader.connect() as conn:
                    if self._position < purged_through(conn):
                        conn.rollback()
                        self._restart_from_snapshot()
                        continue
                    head = head_position(conn)
                    if head <= self._position:
                        break
                    rows = _registry_events(conn, self._position, head)
                    through = rows[-1].position if len(rows) == BATCH else head
                    parties = list(dict.fromkeys(filter(None, (_party_of(conn, row) for row in rows))))
                    entries = current_entries(conn, parties, china_today())
                for party_id in parties:
                    self._apply(party_id, entries.get(party_id))
                self._position = through
                if rows:
                    applied += len(rows)
                    self.last_applied_at = _now()
            self.last_caught_up_at = _now()
            return applied

    def lag_positions(self) -> int:
        """How many feed positions the live index is behind the head of the feed."""
        with self._reader.connect() as conn:
            return max(0, head_position(conn) - self._position)

    def rebuild(self, progress: BuildProgress | None = None) -> SwapRecord:
        """Rebuild the index from the database beside the live one, then swap it in.

        Following goes on meanwhile (in the follower's own thread): changes applied during the
        build are journaled by the holder and replayed into the new index before the swap. A
        second call waits for a rebuild under way to finish.
        """
        with self._rebuilding:
            self.holder.begin_rebuild()
            index, position = build_index_from_db(self.engine, progress=progress, secret=self.secret)
            record = self.holder.swap(index)
        log.info("screening index rebuilt at feed position %d: %d entries (was %d), %d changes replayed",
                 position, record.entries_after, record.entries_before, record.replayed_events)
        return record

    def run(self, stop: threading.Event) -> None:
        """Catch up, wait for new commits (or ``poll_seconds``), repeat until ``stop`` is set."""
        waiter = CommitWaiter(self.engine)
        try:
            while not stop.is_set():
                try:
                    self.catch_up()
                except Exception:  # a database hiccup must not stop the follower: log it and try again
                    log.exception("screening feed follower: catching up failed; retrying")
                    stop.wait(min(5.0, self.poll_seconds * 10))
                waiter.wait(self.poll_seconds, stop)
        finally:
            waiter.close()

    def start(self) -> threading.Thread:
        """Run the follower in a daemon thread (:meth:`stop` ends it)."""
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("the feed follower is already running")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.run, args=(self._stop,), name="screening-feed-follower",
                                        daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread :meth:`start` began, wait for it (up to ``timeout`` seconds), and close
        the follower's own database connections."""
        if self._stop is not None:
            self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._reader is not self.engine:
            self._reader.dispose()

    def _apply(self, party_id: str, entry) -> None:
        try:
            self.holder.apply(EntryListed(entry) if entry is not None else EntryDelisted(party_id))
        except ValidationFailed as problem:  # an entry the index refuses must not stop the feed
            log.error("screening feed follower: party %s not indexed: %s", party_id, problem)

    def _restart_from_snapshot(self) -> None:
        # The retention purge removed events this follower has not applied: only a new snapshot can
        # bring the index up to date. Nothing else applies meanwhile (we hold the catch-up lock), so
        # following resumes from the snapshot's position.
        log.warning("screening feed follower: position %d is older than the retained feed; rebuilding",
                    self._position)
        with self._rebuilding:
            self.holder.begin_rebuild()
            index, position = build_index_from_db(self.engine, secret=self.secret)
            self.holder.swap(index)
        self._position = max(self._position, position)


def _registry_events(conn: Connection, after: int, head: int) -> list:
    o = t.outbox.c
    return conn.execute(select(o.position, o.type, o.debtor_id, o.payload).where(
        o.position > after, o.position <= head, o.type.in_(sorted(REGISTRY_EVENTS)))
        .order_by(o.position).limit(BATCH)).all()


def _party_of(conn: Connection, row) -> str | None:
    """The party an event is about: its debtor id, else the debtor of its listing or restriction."""
    if row.debtor_id:
        return row.debtor_id
    payload = row.payload or {}
    for table, key in ((t.listings, "listing_id"), (t.restrictions, "restriction_id")):
        if payload.get(key):
            return conn.scalar(select(table.c.debtor_id).where(table.c.id == payload[key]))
    return None


class CommitWaiter:
    """Waits for a commit with events: LISTEN/NOTIFY on PostgreSQL, a plain sleep elsewhere."""

    def __init__(self, engine: Engine) -> None:
        self.conn = None
        if engine.dialect.name == "postgresql":
            try:
                import psycopg

                url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
                self.conn = psycopg.connect(url, autocommit=True)
                for channel in _NOTIFY_CHANNELS:
                    self.conn.execute(f"LISTEN {channel}")
            except Exception:  # polling still works; say why it is slower
                log.warning("screening feed follower: LISTEN unavailable, polling only", exc_info=True)
                self.close()

    def wait(self, seconds: float, stop: threading.Event) -> None:
        if self.conn is None:
            stop.wait(seconds)
            return
        try:
            for _ in self.conn.notifies(timeout=seconds, stop_after=1):
                pass
        except Exception:  # the connection dropped (a database restart): poll from now on
            log.warning("screening feed follower: LISTEN connection lost, polling only", exc_info=True)
            self.close()

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # already broken
                pass
            self.conn = None
