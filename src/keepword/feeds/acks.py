"""Acknowledgements and lag: which partner has applied which delisting, and how far behind each one is.

A relief event (ListingDeleted, ListingRevoked, RestrictionLifted) ends a punishment; every partner
whose type receives it must confirm applying it. Those not yet confirmed are listed oldest first
against a deadline of 3 working days (the policy's deletion deadline, on its working-day calendar)
from the day of the event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, func, insert, select

from keepword.domain.errors import NotFound, ValidationFailed
from keepword.domain.policy import Policy
from keepword.feeds.pull import EVENT_COLUMNS
from keepword.feeds.refs import load_refs
from keepword.feeds.sequencer import head_position, sequence_pending
from keepword.feeds.views import follows_feed, relief_types, view
from keepword.store import tables as t

MAX_ACKS = 1000


def acknowledge(engine: Engine, partner_id: str, event_ids: list[str], actor: str, now: datetime) -> dict:
    """Record that a partner applied these relief events; all or nothing.

    Each id must be a relief event (a delisting, a revocation, a lifted restriction) this partner's
    type receives; otherwise nothing is written and the error names the first bad entry. Repeating an
    acknowledgement is harmless.
    """
    if not event_ids:
        raise ValidationFailed("event_ids", "empty: name at least one event id")
    if len(event_ids) > MAX_ACKS:
        raise ValidationFailed("event_ids", f"at most {MAX_ACKS} per request")
    with engine.begin() as conn:
        partner = _partner(conn, partner_id)
        wanted = relief_types(partner.type)
        rows = {r.event_id: r for r in conn.execute(select(*EVENT_COLUMNS).where(
            t.outbox.c.event_id.in_(set(event_ids)), t.outbox.c.position.is_not(None)))}
        refs = load_refs(conn, rows.values())
        for i, event_id in enumerate(event_ids):
            row = rows.get(event_id)
            if row is None:
                raise ValidationFailed(f"event_ids[{i}]", f"{event_id} is not an event of the feed")
            if row.type not in wanted or view(partner.type, row, refs) is None:
                raise ValidationFailed(f"event_ids[{i}]", f"{event_id} is a {row.type}, not a delisting or lifted "
                                                          f"restriction sent to a {partner.type} partner")
        already = set(conn.scalars(select(t.feed_acks.c.event_id).where(
            t.feed_acks.c.partner_id == partner_id, t.feed_acks.c.event_id.in_(set(event_ids)))))
        new = [rows[i] for i in dict.fromkeys(event_ids) if i not in already]
        if new:
            conn.execute(insert(t.feed_acks), [{"partner_id": partner_id, "event_id": r.event_id, "event_type": r.type,
                                                "position": r.position, "acked_at": now, "actor": actor} for r in new])
    return {"acknowledged": [r.event_id for r in new], "already_acknowledged": sorted(already)}


def unacknowledged(engine: Engine, policy: Policy, now: datetime, partner_id: str | None = None) -> list[dict]:
    """Every relief event an active partner has not acknowledged, oldest first, with its deadline."""
    today = now.astimezone(policy.zone).date()
    calendar = policy.calendar
    out: list[dict] = []
    sequence_pending(engine, wait=False)  # a committed delisting counts from the moment it commits
    with engine.connect() as conn:
        for partner in _partners(conn, partner_id):
            types = relief_types(partner.type)
            if not types:
                continue
            acked = select(t.feed_acks.c.event_id).where(t.feed_acks.c.partner_id == partner.id)
            rows = list(conn.execute(select(*EVENT_COLUMNS).where(
                t.outbox.c.type.in_(sorted(types)), t.outbox.c.position.is_not(None),
                t.outbox.c.occurred_at >= partner.created_at, t.outbox.c.event_id.not_in(acked))
                .order_by(t.outbox.c.position)))
            refs = load_refs(conn, rows)
            for row in rows:
                if view(partner.type, row, refs) is None:
                    continue
                day = row.occurred_at.astimezone(policy.zone).date()
                deadline = calendar.add_working_days(day, policy.deletion_working_days)
                out.append({"partner_id": partner.id, "partner": partner.name, "partner_type": partner.type,
                            "event_id": row.event_id, "type": row.type, "position": row.position,
                            "subject": (row.payload or {}).get("listing_id") or (row.payload or {}).get("restriction_id"),
                            "occurred_at": row.occurred_at.isoformat(), "deadline": deadline.isoformat(),
                            "overdue": today > deadline})
    out.sort(key=lambda item: (item["occurred_at"], item["position"], item["partner_id"]))
    return out


def lag(engine: Engine, now: datetime, partner_id: str | None = None) -> list[dict]:
    """Per partner: how far behind the head of the feed it is, in positions and in seconds.

    A partner's position is what it has certainly received: for webhooks, everything below its
    oldest undelivered event (the worst of its endpoints); for the pull feed, the ``after`` of its
    latest request. The better of the two counts.
    """
    e, d, c = t.feed_endpoints.c, t.feed_deliveries.c, t.feed_pull_cursors.c
    out = []
    sequence_pending(engine, wait=False)
    with engine.connect() as conn:
        head = head_position(conn)
        pulls = {r.partner_id: r for r in conn.execute(select(c.partner_id, c.position, c.pulled_at))}
        oldest_pending = dict(conn.execute(select(d.endpoint_id, func.min(d.position))
                                           .where(d.status == "pending").group_by(d.endpoint_id)).all())
        for partner in _partners(conn, partner_id):
            endpoints = list(conn.execute(select(e.id, e.url, e.active, e.disabled_reason, e.cursor, e.paused_until)
                                          .where(e.partner_id == partner.id)))
            webhook = [min(e_.cursor, oldest_pending[e_.id] - 1) if e_.id in oldest_pending else e_.cursor
                       for e_ in endpoints]
            pull = pulls.get(partner.id)
            candidates = ([min(webhook)] if webhook else []) + ([pull.position] if pull else [])
            through = max(candidates) if candidates else 0
            pending = sum(1 for e_ in endpoints if e_.id in oldest_pending)
            out.append({
                "partner_id": partner.id, "partner": partner.name, "partner_type": partner.type,
                "head": head, "through": through, "lag_positions": max(head - through, 0),
                "lag_seconds": _lag_seconds(conn, through, head, now),
                "webhook_through": min(webhook) if webhook else None,
                "pull_through": pull.position if pull else None,
                "last_pull_at": pull.pulled_at.isoformat() if pull else None,
                "endpoints_with_backlog": pending,
                "endpoints": [{"id": x.id, "url": x.url, "active": x.active, "disabled_reason": x.disabled_reason,
                               "paused_until": x.paused_until.isoformat() if x.paused_until else None}
                              for x in endpoints],
            })
    return out


def _lag_seconds(conn: Connection, through: int, head: int, now: datetime) -> float:
    if through >= head:
        return 0.0
    first_missing = conn.scalar(select(t.outbox.c.occurred_at).where(t.outbox.c.position > through)
                                .order_by(t.outbox.c.position).limit(1))
    return round(max((now - first_missing).total_seconds(), 0.0), 3) if first_missing else 0.0


def _partner(conn: Connection, partner_id: str):
    partner = conn.execute(select(t.partners.c.id, t.partners.c.type, t.partners.c.name)
                           .where(t.partners.c.id == partner_id)).first()
    if partner is None:
        raise NotFound(f"partner {partner_id} not found", partner_id=partner_id)
    return partner


def _partners(conn: Connection, partner_id: str | None) -> list:
    p = t.partners.c
    query = select(p.id, p.name, p.type, p.scopes, p.created_at).where(p.active).order_by(p.name, p.id)
    if partner_id is not None:
        query = query.where(p.id == partner_id)
    return [row for row in conn.execute(query) if follows_feed(row.scopes)]
