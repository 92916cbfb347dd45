"""Delivery state in the database: fan-out into deliveries, claims with leases, recorded outcomes.

Everything the relay knows lives here, so a relay killed at any instant (SIGKILL included) loses
nothing: a claim is a lease that expires, and an unrecorded attempt is simply made again with the
same event id (at-least-once; receivers deduplicate by ``webhook-id``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, and_, bindparam, func, insert, select, text, update
from sqlalchemy.orm import aliased

from keepword.feeds.backoff import RetrySchedule
from keepword.feeds.endpoints import disable_endpoint
from keepword.feeds.envelope import ordering_key
from keepword.feeds.pull import EVENT_COLUMNS, events_after
from keepword.feeds.refs import load_ringbacks
from keepword.feeds.sequencer import head_position
from keepword.feeds.views import CARRIER, RECEIVES, concerns, follows_feed
from keepword.store import tables as t

PENDING, DELIVERED, SKIPPED = "pending", "delivered", "skipped"
FAN_OUT_BATCH = 2000
# Thousands of rows in one statement with three array parameters: compiles once, travels once.
_INSERT_POSTGRES = text("""
    INSERT INTO feed_deliveries (endpoint_id, event_id, position, ordering_key, status, attempts, next_attempt_at)
    SELECT :endpoint, e, p, k, 'pending', 0, :now
    FROM unnest(CAST(:ids AS varchar[]), CAST(:positions AS bigint[]), CAST(:keys AS varchar[])) AS u(e, p, k)
""")


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    ok: bool
    status: int | None = None
    error: str | None = None
    skipped: bool = False


def fan_out(engine: Engine, now: datetime, batch: int = FAN_OUT_BATCH) -> dict[str, int]:
    """Turn new feed positions into deliveries for every endpoint of an active partner.

    Returns the number of new deliveries per endpoint id. Each endpoint's ``cursor`` moves in the same
    transaction as its new rows, so a range is fanned out exactly once.
    """
    e, p = t.feed_endpoints.c, t.partners.c
    created: dict[str, int] = {}
    with engine.begin() as conn:
        head = head_position(conn)
        query = (select(e.id, e.cursor, p.type, p.scopes).join(t.partners, p.id == e.partner_id)
                 .where(p.active, e.cursor < head).order_by(e.id))
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=t.feed_endpoints)
        for endpoint in conn.execute(query).all():
            if not follows_feed(endpoint.scopes):
                continue
            created[endpoint.id] = _fan_out_endpoint(conn, endpoint, head, now, batch)
    return created


def _fan_out_endpoint(conn: Connection, endpoint, head: int, now: datetime, batch: int) -> int:
    types = RECEIVES.get(endpoint.type, frozenset())
    rows = [r for r in events_after(conn, endpoint.cursor, batch, types) if r.position <= head]
    cursor = head if len(rows) < batch else rows[-1].position
    # Relevance needs no personal data (only a carrier asks whether the debtor had a ringback).
    ringbacks = load_ringbacks(conn, {r.case_id for r in rows if r.case_id}) if endpoint.type == CARRIER else {}
    new = [{"endpoint_id": endpoint.id, "event_id": r.event_id, "position": r.position,
            "ordering_key": ordering_key(r), "status": PENDING, "attempts": 0, "next_attempt_at": now}
           for r in rows if concerns(endpoint.type, r, ringbacks)]
    if new and conn.dialect.name == "postgresql":
        conn.execute(_INSERT_POSTGRES, {"endpoint": endpoint.id, "now": now, "ids": [n["event_id"] for n in new],
                                        "positions": [n["position"] for n in new],
                                        "keys": [n["ordering_key"] for n in new]})
    elif new:
        conn.execute(insert(t.feed_deliveries), new)
    conn.execute(update(t.feed_endpoints).where(t.feed_endpoints.c.id == endpoint.id).values(cursor=cursor))
    return len(new)


def claim(engine: Engine, endpoint_id: str, owner: str, now: datetime, lease_seconds: float, limit: int) -> list:
    """Lease up to ``limit`` due deliveries of one endpoint, at most one per ordering key (the oldest).

    A delivery is due when no earlier delivery with its ordering key is still pending: a debtor's
    later event waits for the earlier one, other debtors go ahead.
    """
    d = t.feed_deliveries.c
    earlier = aliased(t.feed_deliveries)
    # The oldest pending position of the same key, as a correlated min(): one probe of the
    # (endpoint, key, position) index per candidate, whatever the planner's statistics say (an
    # anti-join plan chosen on a freshly filled queue table took seconds).
    oldest_of_key = (select(func.min(earlier.c.position))
                     .where(earlier.c.endpoint_id == endpoint_id, earlier.c.ordering_key == d.ordering_key,
                            earlier.c.status == PENDING).scalar_subquery())
    query = (select(d.id).where(d.endpoint_id == endpoint_id, d.status == PENDING, d.next_attempt_at <= now,
                                (d.lease_until.is_(None)) | (d.lease_until < now), d.position == oldest_of_key)
             .order_by(d.position).limit(limit))
    with engine.begin() as conn:
        endpoint = conn.execute(select(t.feed_endpoints.c.active, t.feed_endpoints.c.paused_until)
                                .where(t.feed_endpoints.c.id == endpoint_id)).first()
        if endpoint is None or not endpoint.active or (endpoint.paused_until and endpoint.paused_until > now):
            return []
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(conn.scalars(query))
        if not ids:
            return []
        conn.execute(update(t.feed_deliveries).where(d.id.in_(ids)).values(
            lease_owner=owner, lease_until=now + timedelta(seconds=lease_seconds)))
        return list(conn.execute(
            select(d.id.label("delivery_id"), d.attempts, *EVENT_COLUMNS)
            .join(t.outbox, t.outbox.c.event_id == d.event_id)
            .where(d.id.in_(ids)).order_by(d.position)))


def record(engine: Engine, endpoint_id: str, owner: str, outcomes: list[Outcome], now: datetime,
           schedule: RetrySchedule) -> str | None:
    """Write what happened to a claimed batch; returns the reason if the endpoint was disabled."""
    d = t.feed_deliveries.c
    mine = and_(d.id == bindparam("did"), d.lease_owner == owner)
    with engine.begin() as conn:
        done = [{"did": o.delivery_id, "st": SKIPPED if o.skipped else DELIVERED, "code": o.status}
                for o in outcomes if o.ok]
        if done:
            conn.execute(update(t.feed_deliveries).where(mine).values(
                status=bindparam("st"), delivered_at=now, attempts=d.attempts + 1, last_status=bindparam("code"),
                last_error=None, lease_owner=None, lease_until=None), done)
        failed = [o for o in outcomes if not o.ok]
        given_up = None
        if failed:
            failed_ids = [o.delivery_id for o in failed]
            rows = {r.id: r for r in conn.execute(select(d.id, d.attempts, d.first_attempt_at)
                                                  .where(d.id.in_(failed_ids), d.lease_owner == owner))}
            params = []
            for o in failed:
                row = rows.get(o.delivery_id)
                if row is None:
                    continue  # our lease ran out and someone else has it now
                first = row.first_attempt_at or now
                params.append({"did": o.delivery_id, "first": first, "code": o.status, "err": (o.error or "")[:500],
                               "next": now + timedelta(seconds=schedule.delay(row.attempts + 1))})
                if given_up is None and schedule.gives_up(first, now):
                    given_up = (f"deliveries failed for {schedule.window_seconds / 3600:g} hours "
                                f"(event at position {_position(conn, o.delivery_id)}, {row.attempts + 1} attempts, "
                                f"last: {o.error or o.status})")
            if params:
                conn.execute(update(t.feed_deliveries).where(mine).values(
                    attempts=d.attempts + 1, first_attempt_at=bindparam("first"), next_attempt_at=bindparam("next"),
                    last_status=bindparam("code"), last_error=bindparam("err"), lease_owner=None, lease_until=None),
                    params)
        got_through = any(o.ok and not o.skipped for o in outcomes)
        _endpoint_health(conn, endpoint_id, ok=got_through, failed=bool(failed), now=now, schedule=schedule)
        if given_up:
            disable_endpoint(conn, endpoint_id, given_up, now)
    return given_up


def _endpoint_health(conn: Connection, endpoint_id: str, *, ok: bool, failed: bool, now: datetime,
                     schedule: RetrySchedule) -> None:
    e = t.feed_endpoints.c
    if ok:
        conn.execute(update(t.feed_endpoints).where(e.id == endpoint_id, e.consecutive_failures > 0)
                     .values(consecutive_failures=0, paused_until=None))
    elif failed:
        # Nothing got through: back off the whole endpoint, not just these deliveries.
        failures = (conn.scalar(select(e.consecutive_failures).where(e.id == endpoint_id)) or 0) + 1
        conn.execute(update(t.feed_endpoints).where(e.id == endpoint_id).values(
            consecutive_failures=failures, paused_until=now + timedelta(seconds=schedule.delay(failures))))


def _position(conn: Connection, delivery_id: int) -> int | None:
    return conn.scalar(select(t.feed_deliveries.c.position).where(t.feed_deliveries.c.id == delivery_id))

