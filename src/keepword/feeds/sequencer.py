"""The sequencer: hands out public feed positions to committed outbox rows, in commit order.

A plain auto-increment (``outbox.seq``) is taken when a row is inserted, not when its transaction
commits: a reader that has seen seq 11 may later find a seq 10 that committed afterwards, and skip it.
Positions are therefore assigned afterwards, by one sequencer at a time (a PostgreSQL advisory lock;
SQLite serialises writers anyway), to rows that have already committed, in ``seq`` order, all in one
transaction. A reader sees a sequencer's positions all at once or not at all, and every later
sequencer run hands out larger positions. See docs/adr/0002-feed-positions.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, bindparam, func, select, text, update

from keepword.store import tables as t

#: The advisory lock key of the sequencer (any constant shared by every process of one database).
SEQUENCER_LOCK = 0x6B77_6665_6564  # "kwfeed"
BATCH = 5000

# One statement after the lock: number the oldest unsequenced rows after the head, move the head, and
# tell listeners (LISTEN keepword_feed) the new head. Its snapshot is taken after the lock was granted,
# so it sees the previous sequencer's commit. No row comes back when feed_sequence has no row yet.
_SEQUENCE_POSTGRES = text("""
    WITH head AS (SELECT last_position FROM feed_sequence WHERE id = 1),
    batch AS (
        SELECT o.seq, h.last_position + row_number() OVER (ORDER BY o.seq) AS pos
        FROM (SELECT seq FROM outbox WHERE position IS NULL ORDER BY seq LIMIT :limit) AS o CROSS JOIN head AS h
    ),
    assigned AS (UPDATE outbox AS o SET position = b.pos FROM batch AS b WHERE o.seq = b.seq RETURNING b.pos),
    moved AS (
        UPDATE feed_sequence SET last_position = (SELECT max(pos) FROM assigned), sequenced_at = :now
        WHERE id = 1 AND EXISTS (SELECT 1 FROM assigned) RETURNING last_position
    ),
    notified AS (SELECT pg_notify('keepword_feed', last_position::text) FROM moved)
    SELECT (SELECT count(*) FROM assigned) AS assigned,
           coalesce((SELECT last_position FROM moved), head.last_position) AS head,
           (SELECT count(*) FROM notified) AS notified
    FROM head
""")


_o = t.outbox.c
_UNSEQUENCED = select(_o.seq).where(_o.position.is_(None)).order_by(_o.seq).limit(bindparam("limit"))
_ASSIGN = update(t.outbox).where(_o.seq == bindparam("s")).values(position=bindparam("p"))
_MOVE_HEAD = (update(t.feed_sequence).where(t.feed_sequence.c.id == 1)
              .values(last_position=bindparam("head"), sequenced_at=bindparam("now")))


@dataclass(frozen=True)
class Sequenced:
    """One sequencer run: how many rows got a position, and the head after it."""

    assigned: int
    head: int


def sequence_pending(engine: Engine, *, wait: bool = True, batch: int = BATCH) -> int:
    """Give positions to every committed outbox row that has none; returns how many got one.

    With ``wait=False`` it returns 0 at once when another sequencer holds the lock (the API uses this
    so that a request never queues behind the relay).
    """
    total = 0
    while True:
        assigned = _sequence_batch(engine, wait=wait, batch=batch)
        total += max(assigned, 0)
        if assigned < batch:
            return total


def _sequence_batch(engine: Engine, *, wait: bool, batch: int) -> int:
    with engine.begin() as conn:
        run = sequence_batch(conn, wait=wait, batch=batch)
        return -1 if run is None else run.assigned


def sequence_batch(conn: Connection, *, wait: bool = True, batch: int = BATCH) -> Sequenced | None:
    """Give positions to up to ``batch`` committed rows, in the caller's transaction (which must commit
    before anyone sees them). None when ``wait`` is False and another sequencer holds the lock."""
    if not _lock(conn, wait):
        return None
    now = datetime.now(timezone.utc)
    if conn.dialect.name == "postgresql":
        row = conn.execute(_SEQUENCE_POSTGRES, {"limit": batch, "now": now}).first()
        if row is not None:
            return Sequenced(assigned=int(row.assigned), head=int(row.head))
    base = _last_position(conn)
    seqs = conn.scalars(_UNSEQUENCED, {"limit": batch}).all()
    if seqs:
        conn.execute(_ASSIGN, [{"s": s, "p": base + i} for i, s in enumerate(seqs, start=1)])
        conn.execute(_MOVE_HEAD, {"head": base + len(seqs), "now": now})
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_notify('keepword_feed', :head)"), {"head": str(base + len(seqs))})
    return Sequenced(assigned=len(seqs), head=base + len(seqs))


_LOCK = text("SELECT pg_advisory_xact_lock(:k)")
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:k)")


def _lock(conn: Connection, wait: bool) -> bool:
    if conn.dialect.name != "postgresql":
        return True  # BEGIN IMMEDIATE already made this the only writer
    if wait:
        conn.execute(_LOCK, {"k": SEQUENCER_LOCK})
        return True
    return bool(conn.scalar(_TRY_LOCK, {"k": SEQUENCER_LOCK}))


def _last_position(conn: Connection) -> int:
    # Read after taking the lock: under READ COMMITTED this statement sees the previous run's commit.
    last = conn.scalar(select(t.feed_sequence.c.last_position).where(t.feed_sequence.c.id == 1))
    if last is None:
        last = conn.scalar(select(func.coalesce(func.max(t.outbox.c.position), 0)))
        conn.execute(t.feed_sequence.insert().values(id=1, last_position=last, purged_through=0))
    return int(last)


def head_position(conn: Connection) -> int:
    """The highest position handed out so far (0 for an empty feed)."""
    return int(conn.scalar(select(t.feed_sequence.c.last_position).where(t.feed_sequence.c.id == 1)) or 0)


def purged_through(conn: Connection) -> int:
    """Positions at or below this may have been removed by the retention purge."""
    return int(conn.scalar(select(t.feed_sequence.c.purged_through).where(t.feed_sequence.c.id == 1)) or 0)
