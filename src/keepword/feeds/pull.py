"""The pull feed: GET /api/v1/feed?after=POSITION&limit=N, as seen by one partner type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from keepword.domain.errors import KeepwordError, ValidationFailed
from keepword.feeds.envelope import cloud_event
from keepword.feeds.refs import load_refs
from keepword.feeds.sequencer import head_position, purged_through, sequence_pending
from keepword.feeds.views import PARTNER_TYPES, receives, view
from keepword.store import tables as t

#: How many positions one request scans at most, so that a partner type that receives few event kinds
#: still gets an answer (with a ``next`` cursor past what it does not receive) in bounded time.
MAX_SCAN = 5000


class FeedPositionExpired(KeepwordError):
    """The position is older than the retained feed: take a snapshot and follow the feed from its position."""

    code = "feed_position_expired"


@dataclass
class FeedPage:
    events: list[dict]
    next: int
    head: int

    def as_dict(self) -> dict:
        return {"events": self.events, "next": self.next, "head": self.head, "more": self.next < self.head}


EVENT_COLUMNS = (t.outbox.c.event_id, t.outbox.c.type, t.outbox.c.case_id, t.outbox.c.debtor_id,
                 t.outbox.c.occurred_at, t.outbox.c.payload, t.outbox.c.position)


def events_after(conn: Connection, after: int, limit: int, types: frozenset[str] | None = None) -> list:
    """Outbox rows with a position above ``after``, in position order (never unsequenced rows)."""
    query = select(*EVENT_COLUMNS).where(t.outbox.c.position > after)
    if types is not None:
        query = query.where(t.outbox.c.type.in_(sorted(types)))
    return list(conn.execute(query.order_by(t.outbox.c.position).limit(limit)))


def feed_page(engine: Engine, partner_type: str, after: int, limit: int, *, partner_id: str | None = None) -> FeedPage:
    """Up to ``limit`` events after ``after`` for ``partner_type``; ``next`` is the cursor for the next call.

    ``next`` may move past positions the partner type does not receive; events are never skipped
    otherwise, because positions only appear in increasing order (see the sequencer).
    """
    if partner_type not in PARTNER_TYPES:
        raise ValidationFailed("partner_type", f"must be one of {', '.join(PARTNER_TYPES)}")
    if after < 0:
        raise ValidationFailed("after", "must be 0 or a position from an earlier page")
    if not 1 <= limit <= 1000:
        raise ValidationFailed("limit", "must be between 1 and 1000")
    sequence_pending(engine, wait=False)
    with engine.connect() as conn:
        if after < purged_through(conn):
            raise FeedPositionExpired(
                f"after: position {after} is older than the retained feed (kept from {purged_through(conn) + 1}); "
                "take GET /api/v1/feed/snapshot and follow the feed from its position", field="after")
        head = head_position(conn)
        if after > head:
            raise ValidationFailed("after", f"beyond the head of the feed ({head}): use a position from this feed")
        events: list[dict] = []
        cursor, scanned = after, 0
        while len(events) < limit and cursor < head and scanned < MAX_SCAN:
            rows = events_after(conn, cursor, min(max(limit, 200), MAX_SCAN - scanned))
            if not rows:
                break
            for row, rendered in _render_until(conn, partner_type, rows, limit - len(events)):
                cursor = row.position
                if rendered is not None:
                    events.append(rendered)
            scanned += len(rows)
        conn.rollback()
    if partner_id is not None:
        record_pull(engine, partner_id, after)
    return FeedPage(events=events, next=cursor, head=head)


def _render_until(conn: Connection, partner_type: str, rows: list, room: int):
    """(row, event or None) in order, stopping after ``room`` rendered events so ``next`` stays exact."""
    relevant = [r for r in rows if receives(partner_type, r.type)]
    refs = load_refs(conn, relevant)
    for row in rows:
        if room == 0:
            return
        data = view(partner_type, row, refs) if receives(partner_type, row.type) else None
        rendered = cloud_event(row, data, refs) if data is not None else None
        if rendered is not None:
            room -= 1
        yield row, rendered


def record_pull(engine: Engine, partner_id: str, position: int) -> None:
    """Remember that the partner has processed everything through ``position`` (it asked for what follows)."""
    now = datetime.now(timezone.utc)
    c = t.feed_pull_cursors.c
    try:
        with engine.begin() as conn:
            current = conn.scalar(select(c.position).where(c.partner_id == partner_id))
            if current is None:
                conn.execute(insert(t.feed_pull_cursors).values(partner_id=partner_id, position=position,
                                                                pulled_at=now))
            elif position >= current:  # a partner re-reading an older page has not lost what it applied
                conn.execute(update(t.feed_pull_cursors).where(c.partner_id == partner_id)
                             .values(position=position, pulled_at=now))
    except IntegrityError:
        pass  # a concurrent first pull of the same partner recorded it; the next pull moves it on
