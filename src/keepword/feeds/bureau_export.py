"""The credit-bureau file: the published fields of every listing in force (snapshot), or what changed
since a feed position (delta), as JSON Lines or CSV.

Each record carries the feed position it is consistent with, so the bureau asks for the next delta
with ``--since`` that position.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Engine

from keepword.domain.policy import Policy
from keepword.feeds.pull import events_after
from keepword.feeds.refs import load_refs
from keepword.feeds.sequencer import head_position, purged_through, sequence_pending
from keepword.feeds.pull import FeedPositionExpired
from keepword.feeds.snapshot import open_snapshot
from keepword.feeds.views import CREDIT_BUREAU, RECEIVES, view

CSV_COLUMNS = ("position", "action", "listing_id", "kind", "name", "sex", "age", "id_number_masked", "credit_code",
               "legal_representative", "obligation", "currency", "performed", "conduct", "case_number", "filed_on",
               "court", "published_on", "expires_on", "deleted_on", "revoked_on", "correction")


def flatten(position: int, item: dict) -> dict:
    """One file record: the view's fields with the published fields lifted to the top level."""
    record = {"position": position, **{k: v for k, v in item.items() if k != "published"}}
    for key, value in (item.get("published") or {}).items():
        if key != "listing_id":
            record.setdefault(key, value)
    return record


def bureau_snapshot(engine: Engine, policy: Policy, now: datetime) -> tuple[int, list[dict]]:
    """Every published listing as a credit bureau sees it, and the position the file is consistent with."""
    with open_snapshot(engine, CREDIT_BUREAU, policy, now) as snap:
        return snap.position, [flatten(snap.position, item) for item in snap.items]


def bureau_delta(engine: Engine, since: int, batch: int = 2000) -> tuple[int, Iterator[dict]]:
    """Listing changes after ``since`` (listed, extended, corrected, deleted, revoked), in feed order."""
    sequence_pending(engine, wait=False)
    with engine.connect() as conn:
        if since < purged_through(conn):
            raise FeedPositionExpired(f"since: position {since} is older than the retained feed: export a snapshot",
                                      field="since")
        head = head_position(conn)
    return head, _delta(engine, since, head, batch)


def _delta(engine: Engine, since: int, head: int, batch: int) -> Iterator[dict]:
    cursor = since
    while cursor < head:
        with engine.connect() as conn:
            rows = [r for r in events_after(conn, cursor, batch, RECEIVES[CREDIT_BUREAU]) if r.position <= head]
            refs = load_refs(conn, rows)
        if not rows:
            return
        for row in rows:
            data = view(CREDIT_BUREAU, row, refs)
            if data is not None:
                yield flatten(row.position, data)
        cursor = rows[-1].position
