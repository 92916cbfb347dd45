"""Delivery state in the database: fan-out into deliveries, claims with leases, recorded outcomes.

Everything the relay knows lives here, so a relay killed at any instant (SIGKILL included) loses
nothing: a claim is a lease that expires, and an unrecorded attempt is simply made again with the
same event id (at-least-once; receivers deduplicate by ``webhook-id``).

On PostgreSQL the hot path is one statement per step: a claim leases and returns its rows at once,
and a batch that got through is recorded by one UPDATE (see docs/adr/0005-relay-round-trips.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, Integer, and_, bindparam, func, insert, select, text, update
from sqlalchemy.orm import aliased

from keepword.feeds.backoff import RetrySchedule
from keepword.feeds.endpoints import disable_endpoint
from keepword.feeds.envelope import ordering_key
from keepword.feeds.pull import EVENT_COLUMNS
from keepword.feeds.refs import load_ringbacks
from keepword.feeds.views import CARRIER, RECEIVES, concerns, follows_feed
from keepword.store import tables as t
from keepword.store.types import UTCDateTime

PENDING, DELIVERED, SKIPPED = "pending", "delivered", "skipped"
FAN_OUT_BATCH = 2000
# Thousands of rows in one statement with three array parameters, and the endpoint's cursor moved
# by the same statement: compiles once, travels once.
_INSERT_POSTGRES = text("""
    WITH added AS (
        INSERT INTO feed_deliveries (endpoint_id, event_id, position, ordering_key, status, attempts, next_attempt_at)
        SELECT :endpoint, e, p, k, 'pending', 0, :now
        FROM unnest(CAST(:ids AS varchar[]), CAST(:positions AS bigint[]), CAST(:keys AS varchar[])) AS u(e, p, k)
    )
    UPDATE feed_endpoints SET cursor = :cursor WHERE id = :endpoint
""").bindparams(bindparam("now", type_=UTCDateTime))

# The claim in one statement: check the endpoint (active, not paused), lock the oldest pending delivery
# of each ordering key that is due and not leased (skipping rows another relay has locked), lease them,
# and return them with their events. The oldest pending position of a key is a correlated min(): one
# probe of the (endpoint, key, position) index per candidate, whatever the planner's statistics say (an
# anti-join plan chosen on a freshly filled queue table took seconds).
_CLAIM_POSTGRES = text("""
    WITH endpoint AS (
        SELECT consecutive_failures FROM feed_endpoints
        WHERE id = :endpoint AND active AND (paused_until IS NULL OR paused_until <= :now)
    ),
    picked AS (
        SELECT d.id FROM feed_deliveries AS d
        WHERE d.endpoint_id = :endpoint AND d.status = 'pending' AND d.next_attempt_at <= :now
          AND (d.lease_until IS NULL OR d.lease_until < :now) AND EXISTS (SELECT 1 FROM endpoint)
          AND d.position = (SELECT min(e.position) FROM feed_deliveries AS e
                            WHERE e.endpoint_id = :endpoint AND e.ordering_key = d.ordering_key
                              AND e.status = 'pending')
        ORDER BY d.position LIMIT :limit
        FOR UPDATE OF d SKIP LOCKED
    ),
    leased AS (
        UPDATE feed_deliveries AS d SET lease_owner = :owner, lease_until = :until FROM picked
        WHERE d.id = picked.id RETURNING d.id, d.attempts, d.event_id, d.position
    )
    SELECT l.id AS delivery_id, l.attempts, o.event_id, o.type, o.case_id, o.debtor_id, o.occurred_at, o.payload,
           o.position, (SELECT consecutive_failures FROM endpoint) AS endpoint_failures
    FROM leased AS l JOIN outbox AS o ON o.event_id = l.event_id
    ORDER BY l.position
""").bindparams(bindparam("now", type_=UTCDateTime), bindparam("until", type_=UTCDateTime)).columns(
    t.feed_deliveries.c.id.label("delivery_id"), t.feed_deliveries.c.attempts, *(c for c in t.outbox.c
    if c.name in ("event_id", "type", "case_id", "debtor_id", "occurred_at", "payload", "position")),
    endpoint_failures=Integer)

# A batch that got through, in one UPDATE (only rows still leased by this relay). Each row also says
# whether a later delivery of its ordering key is waiting: it is due now, so the lane claims again.
_DELIVERED_POSTGRES = text("""
    UPDATE feed_deliveries AS d
    SET status = u.st, delivered_at = :now, attempts = d.attempts + 1, last_status = u.code, last_error = NULL,
        lease_owner = NULL, lease_until = NULL
    FROM unnest(CAST(:ids AS bigint[]), CAST(:statuses AS varchar[]), CAST(:codes AS integer[])) AS u(id, st, code)
    WHERE d.id = u.id AND d.lease_owner = :owner
    RETURNING EXISTS (SELECT 1 FROM feed_deliveries AS f WHERE f.endpoint_id = d.endpoint_id
                      AND f.ordering_key = d.ordering_key AND f.status = 'pending' AND f.position > d.position)
        AS followed
""").bindparams(bindparam("now", type_=UTCDateTime))


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    ok: bool
    status: int | None = None
    error: str | None = None
    skipped: bool = False


@dataclass(frozen=True)
class Claimed:
    """Leased deliveries (with their outbox columns, in position order) and the endpoint's failures in a row."""

    rows: list
    endpoint_failures: int = 0


@dataclass(frozen=True)
class Recorded:
    """What ``record`` did: the reason if it disabled the endpoint, and whether deliveries it completed
    have later ones of the same ordering key waiting (due now that the earlier one is done)."""

    disabled: str | None = None
    followers_waiting: bool = False


_e, _p, _o = t.feed_endpoints.c, t.partners.c, t.outbox.c
# Built once: the relay fans out on every commit, and building a statement costs more than running it.
_BEHIND = (select(_e.id, _e.cursor, _p.type, _p.scopes).join(t.partners, _p.id == _e.partner_id)
           .where(_p.active, _e.cursor < bindparam("head")).order_by(_e.id))
_BEHIND_UNLOCKED = _BEHIND.with_for_update(skip_locked=True, of=t.feed_endpoints)  # another relay's are skipped
_NEW_EVENTS = (select(*EVENT_COLUMNS).where(_o.position > bindparam("after"), _o.position <= bindparam("head"),
                                            _o.type.in_(bindparam("types", expanding=True)))
               .order_by(_o.position).limit(bindparam("limit")))


def fan_out(conn: Connection, now: datetime, head: int, batch: int = FAN_OUT_BATCH) -> tuple[dict[str, int], bool]:
    """Turn feed positions up to ``head`` into deliveries for every endpoint of an active partner, in the
    caller's transaction.

    Returns the number of new deliveries per endpoint id, and whether every endpoint reached ``head``
    (False when one stopped after ``batch`` events and there is more to do). Each endpoint's ``cursor``
    moves in the same transaction as its new rows, so a range is fanned out exactly once.
    """
    query = _BEHIND_UNLOCKED if conn.dialect.name == "postgresql" else _BEHIND
    created: dict[str, int] = {}
    complete = True
    for endpoint in conn.execute(query, {"head": head}).all():
        if not follows_feed(endpoint.scopes):
            continue
        created[endpoint.id], reached = _fan_out_endpoint(conn, endpoint, head, now, batch)
        complete = complete and reached
    return created, complete


def _fan_out_endpoint(conn: Connection, endpoint, head: int, now: datetime, batch: int) -> tuple[int, bool]:
    types = sorted(RECEIVES.get(endpoint.type, ()))
    rows = conn.execute(_NEW_EVENTS, {"after": endpoint.cursor, "head": head, "types": types, "limit": batch}).all()
    reached = len(rows) < batch
    cursor = head if reached else rows[-1].position
    # Relevance needs no personal data (only a carrier asks whether the debtor had a ringback).
    ringbacks = load_ringbacks(conn, {r.case_id for r in rows if r.case_id}) if endpoint.type == CARRIER else {}
    new = [r for r in rows if concerns(endpoint.type, r, ringbacks)]
    if conn.dialect.name == "postgresql":
        conn.execute(_INSERT_POSTGRES, {"endpoint": endpoint.id, "now": now, "cursor": cursor,
                                        "ids": [r.event_id for r in new], "positions": [r.position for r in new],
                                        "keys": [ordering_key(r) for r in new]})
        return len(new), reached
    if new:
        conn.execute(insert(t.feed_deliveries), [
            {"endpoint_id": endpoint.id, "event_id": r.event_id, "position": r.position,
             "ordering_key": ordering_key(r),
             "status": PENDING, "attempts": 0, "next_attempt_at": now} for r in new])
    conn.execute(update(t.feed_endpoints).where(t.feed_endpoints.c.id == endpoint.id).values(cursor=cursor))
    return len(new), reached


_d = t.feed_deliveries.c
_earlier = aliased(t.feed_deliveries)
_DUE = (select(_d.id).where(
    _d.endpoint_id == bindparam("endpoint"), _d.status == PENDING, _d.next_attempt_at <= bindparam("now"),
    _d.lease_until.is_(None) | (_d.lease_until < bindparam("now")),
    _d.position == select(func.min(_earlier.c.position)).where(
        _earlier.c.endpoint_id == bindparam("endpoint"), _earlier.c.ordering_key == _d.ordering_key,
        _earlier.c.status == PENDING).scalar_subquery())
    .order_by(_d.position).limit(bindparam("limit")))
_ENDPOINT_STATE = select(_e.active, _e.paused_until, _e.consecutive_failures).where(_e.id == bindparam("endpoint"))
_LEASE = (update(t.feed_deliveries).where(_d.id.in_(bindparam("ids", expanding=True)))
          .values(lease_owner=bindparam("owner"), lease_until=bindparam("until")))
_CLAIMED = (select(_d.id.label("delivery_id"), _d.attempts, *EVENT_COLUMNS)
            .join(t.outbox, t.outbox.c.event_id == _d.event_id)
            .where(_d.id.in_(bindparam("ids", expanding=True))).order_by(_d.position))


def claim(conn: Connection, endpoint_id: str, owner: str, now: datetime, lease_seconds: float, limit: int) -> Claimed:
    """Lease up to ``limit`` due deliveries of one endpoint, at most one per ordering key (the oldest).

    A delivery is due when no earlier delivery with its ordering key is still pending: a debtor's
    later event waits for the earlier one, other debtors go ahead. Nothing is due for an inactive or
    paused endpoint. Runs in the caller's transaction; on PostgreSQL it is one statement, so a
    connection in autocommit mode needs no transaction around it.
    """
    until = now + timedelta(seconds=lease_seconds)
    params = {"endpoint": endpoint_id, "now": now, "limit": limit}
    if conn.dialect.name == "postgresql":
        rows = list(conn.execute(_CLAIM_POSTGRES, {**params, "owner": owner, "until": until}))
        return Claimed(rows, rows[0].endpoint_failures if rows else 0)
    endpoint = conn.execute(_ENDPOINT_STATE, params).first()
    if endpoint is None or not endpoint.active or (endpoint.paused_until and endpoint.paused_until > now):
        return Claimed([])
    ids = list(conn.scalars(_DUE, params))
    if not ids:
        return Claimed([], endpoint.consecutive_failures)
    conn.execute(_LEASE, {"ids": ids, "owner": owner, "until": until})
    return Claimed(list(conn.execute(_CLAIMED, {"ids": ids})), endpoint.consecutive_failures)


def record(engine: Engine, endpoint_id: str, owner: str, outcomes: list[Outcome], now: datetime,
           schedule: RetrySchedule, *, endpoint_failures: int = 1) -> Recorded:
    """Write what happened to a claimed batch.

    ``endpoint_failures`` is the endpoint's count of failed rounds in a row as the claim saw it: when it
    was 0 and the whole batch got through, there is no endpoint state to reset, and on PostgreSQL the
    batch is recorded by a single UPDATE.
    """
    done = [o for o in outcomes if o.ok]
    if engine.dialect.name == "postgresql" and len(done) == len(outcomes) and not endpoint_failures:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            followed = conn.scalars(_DELIVERED_POSTGRES, {
                "ids": [o.delivery_id for o in done], "statuses": [SKIPPED if o.skipped else DELIVERED for o in done],
                "codes": [o.status for o in done], "now": now, "owner": owner}).all()
        return Recorded(followers_waiting=any(followed))
    d = t.feed_deliveries.c
    mine = and_(d.id == bindparam("did"), d.lease_owner == owner)
    with engine.begin() as conn:
        if done:
            conn.execute(_DELIVERED, [{"did": o.delivery_id, "owner": owner, "st": SKIPPED if o.skipped else DELIVERED,
                                       "code": o.status, "now": now} for o in done])
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
        if failed or endpoint_failures:  # else nothing to reset: the endpoint had no failures when claimed
            got_through = any(o.ok and not o.skipped for o in outcomes)
            _endpoint_health(conn, endpoint_id, ok=got_through, failed=bool(failed), now=now, schedule=schedule)
        if given_up:
            disable_endpoint(conn, endpoint_id, given_up, now)
        followed = bool(done) and conn.scalar(_FOLLOWED, {"ids": [o.delivery_id for o in done]}) > 0
    return Recorded(disabled=given_up, followers_waiting=followed)


_DELIVERED = (update(t.feed_deliveries).where(_d.id == bindparam("did"), _d.lease_owner == bindparam("owner"))
              .values(status=bindparam("st"), delivered_at=bindparam("now"), attempts=_d.attempts + 1,
                      last_status=bindparam("code"), last_error=None, lease_owner=None, lease_until=None))
_later = aliased(t.feed_deliveries)
_FOLLOWED = (select(func.count()).select_from(t.feed_deliveries)
             .where(_d.id.in_(bindparam("ids", expanding=True)))
             .where(select(_later.c.id).where(_later.c.endpoint_id == _d.endpoint_id,
                                              _later.c.ordering_key == _d.ordering_key, _later.c.status == PENDING,
                                              _later.c.position > _d.position).exists()))


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

