"""The sequencer: hands out public feed positions to committed outbox rows, in commit order.

A plain auto-increment (``outbox.seq``) is taken when a row is inserted, not when its transaction
commits: a reader that has seen seq 11 may later find a seq 10 that committed afterwards, and skip it.
Positions are therefore assigned afterwards, by one sequencer at a time (a PostgreSQL advisory lock;
SQLite serialises writers anyway), to rows that have already committed, in ``seq`` order, all in one
transaction. A reader sees a sequencer's positions all at once or not at all, and every later
sequencer run hands out larger positions. See docs/adr/0002-feed-positions.md.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, bindparam, func, select, text, update

from keepword.store import tables as t

#: The advisory lock key of the sequencer (any constant shared by every process of one database).
SEQUENCER_LOCK = 0x6B77_6665_6564  # "kwfeed"
BATCH = 5000

_ASSIGN_POSTGRES = text("""
    UPDATE outbox AS o SET position = b.pos
    FROM (SELECT seq, :base + row_number() OVER (ORDER BY seq) AS pos
          FROM outbox WHERE position IS NULL ORDER BY seq LIMIT :limit) AS b
    WHERE o.seq = b.seq
""")


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
        if not _lock(conn, wait):
            return -1
        base = _last_position(conn)
        if conn.dialect.name == "postgresql":
            assigned = conn.execute(_ASSIGN_POSTGRES, {"base": base, "limit": batch}).rowcount
        else:
            seqs = conn.scalars(select(t.outbox.c.seq).where(t.outbox.c.position.is_(None))
                                .order_by(t.outbox.c.seq).limit(batch)).all()
            if seqs:
                conn.execute(update(t.outbox).where(t.outbox.c.seq == bindparam("s")).values(position=bindparam("p")),
                             [{"s": s, "p": base + i} for i, s in enumerate(seqs, start=1)])
            assigned = len(seqs)
        if assigned:
            conn.execute(update(t.feed_sequence).where(t.feed_sequence.c.id == 1).values(
                last_position=base + assigned, sequenced_at=datetime.now(timezone.utc)))
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_notify('keepword_feed', :head)"), {"head": str(base + assigned)})
        return assigned


def _lock(conn: Connection, wait: bool) -> bool:
    if conn.dialect.name != "postgresql":
        return True  # BEGIN IMMEDIATE already made this the only writer
    if wait:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SEQUENCER_LOCK})
        return True
    return bool(conn.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": SEQUENCER_LOCK}))


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
