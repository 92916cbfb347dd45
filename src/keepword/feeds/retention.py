"""Retention of the feed: events are kept at least 30 days; older ones are purged unless still needed.

An old event stays while a delivery of it is pending, and while a partner has not acknowledged it
(a delisting must stay visible until every partner confirms it). ``purged_through`` records the
position below which a reader may find gaps, so the pull API can send it to the snapshot instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update

from keepword.domain.errors import ValidationFailed
from keepword.domain.policy import Policy
from keepword.feeds.acks import unacknowledged
from keepword.store import tables as t

MINIMUM_DAYS = 30
CHUNK = 5000


def purge_feed(engine: Engine, policy: Policy, now: datetime, keep_days: int = MINIMUM_DAYS) -> dict:
    """Delete feed events older than ``keep_days`` (at least 30) and finished deliveries of the same age."""
    if keep_days < MINIMUM_DAYS:
        raise ValidationFailed("keep_days", f"the feed keeps at least {MINIMUM_DAYS} days")
    cutoff = now - timedelta(days=keep_days)
    still_needed = {u["event_id"] for u in unacknowledged(engine, policy, now)}
    o, d = t.outbox.c, t.feed_deliveries.c
    purged, highest, last_seq = 0, 0, 0
    while True:
        with engine.begin() as conn:
            pending = select(d.event_id).where(d.status == "pending")
            rows = conn.execute(select(o.seq, o.position, o.event_id).where(
                o.position.is_not(None), o.occurred_at < cutoff, o.event_id.not_in(pending), o.seq > last_seq)
                .order_by(o.seq).limit(CHUNK)).all()
            if not rows:
                break
            last_seq = rows[-1].seq
            doomed = [r for r in rows if r.event_id not in still_needed]
            if doomed:
                conn.execute(delete(t.outbox).where(o.seq.in_([r.seq for r in doomed])))
                purged += len(doomed)
                highest = max(highest, max(r.position for r in doomed))
    with engine.begin() as conn:
        deliveries = conn.execute(delete(t.feed_deliveries).where(
            d.status != "pending", d.delivered_at < cutoff)).rowcount
        if highest:
            current = conn.scalar(select(t.feed_sequence.c.purged_through).where(t.feed_sequence.c.id == 1)) or 0
            conn.execute(update(t.feed_sequence).where(t.feed_sequence.c.id == 1)
                         .values(purged_through=max(current, highest)))
    return {"events_purged": purged, "deliveries_purged": deliveries, "kept_unacknowledged": len(still_needed),
            "purged_through": highest, "cutoff": cutoff.isoformat()}
