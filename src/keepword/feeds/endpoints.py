"""Webhook endpoints of partners: register (the secret is shown once), list, enable after a disable."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine, select, update

from keepword.domain.errors import NotFound, ValidationFailed
from keepword.domain.ids import new_id
from keepword.feeds.sequencer import head_position
from keepword.feeds.signing import check_secret, new_secret
from keepword.store import tables as t

log = logging.getLogger("keepword.feeds.relay")


@dataclass(frozen=True)
class NewEndpoint:
    id: str
    partner_id: str
    url: str
    secret: str  # shown once to the partner


def check_url(url: str, *, allow_plain_http: bool) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValidationFailed("url", "must be an absolute https:// URL")
    if parts.scheme == "http" and not allow_plain_http:
        raise ValidationFailed("url", "must use https (plain http only in development)")
    return url.strip()


def add_endpoint(engine: Engine, partner_id: str, url: str, *, secret: str | None = None,
                 from_start: bool = False, allow_plain_http: bool = True) -> NewEndpoint:
    """Register a webhook endpoint for a partner.

    It receives events from the current head of the feed on (a partner catches up on older ones with
    the snapshot), or from the start of the retained feed with ``from_start``.
    """
    url = check_url(url, allow_plain_http=allow_plain_http)
    secret = check_secret(secret) if secret else new_secret()
    with engine.begin() as conn:
        partner = conn.execute(select(t.partners.c.id, t.partners.c.active).where(t.partners.c.id == partner_id)).first()
        if partner is None:
            raise NotFound(f"partner {partner_id} not found", partner_id=partner_id)
        endpoint_id = new_id()
        conn.execute(t.feed_endpoints.insert().values(
            id=endpoint_id, partner_id=partner_id, url=url, secret=secret, active=True,
            cursor=0 if from_start else head_position(conn), consecutive_failures=0,
            created_at=datetime.now(timezone.utc)))
    return NewEndpoint(endpoint_id, partner_id, url, secret)


def list_endpoints(conn: Connection, partner_id: str | None = None) -> list[dict]:
    """Endpoints with their state (never the secret): active, or disabled with the reason and when."""
    e = t.feed_endpoints.c
    query = select(e.id, e.partner_id, e.url, e.active, e.disabled_at, e.disabled_reason, e.cursor,
                   e.consecutive_failures, e.paused_until, e.created_at).order_by(e.partner_id, e.created_at)
    if partner_id is not None:
        query = query.where(e.partner_id == partner_id)
    return [{"id": r.id, "partner_id": r.partner_id, "url": r.url, "active": r.active,
             "disabled_at": _iso(r.disabled_at), "disabled_reason": r.disabled_reason, "cursor": r.cursor,
             "consecutive_failures": r.consecutive_failures, "paused_until": _iso(r.paused_until),
             "created_at": _iso(r.created_at)} for r in conn.execute(query)]


def disable_endpoint(conn: Connection, endpoint_id: str, reason: str, now: datetime) -> None:
    """Stop delivering to an endpoint, keep its pending deliveries, and say so in the log."""
    conn.execute(update(t.feed_endpoints).where(t.feed_endpoints.c.id == endpoint_id, t.feed_endpoints.c.active)
                 .values(active=False, disabled_at=now, disabled_reason=reason))
    log.warning("endpoint %s disabled: %s", endpoint_id, reason)


def enable_endpoint(engine: Engine, endpoint_id: str, partner_id: str | None = None) -> None:
    """Resume a disabled endpoint: its pending deliveries are retried now, with a fresh retry window."""
    e, d = t.feed_endpoints.c, t.feed_deliveries.c
    with engine.begin() as conn:
        query = select(e.id).where(e.id == endpoint_id)
        if partner_id is not None:
            query = query.where(e.partner_id == partner_id)
        if conn.scalar(query) is None:
            raise NotFound(f"endpoint {endpoint_id} not found", endpoint_id=endpoint_id)
        conn.execute(update(t.feed_endpoints).where(e.id == endpoint_id).values(
            active=True, disabled_at=None, disabled_reason=None, consecutive_failures=0, paused_until=None))
        conn.execute(update(t.feed_deliveries).where(d.endpoint_id == endpoint_id, d.status == "pending").values(
            first_attempt_at=None, next_attempt_at=datetime.now(timezone.utc)))
    log.info("endpoint %s enabled", endpoint_id)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
