"""The snapshot: the current list as one partner type sees it, and the feed position it is consistent with.

A partner that starts, or fell behind the retained feed, loads the snapshot and then follows the
feed from its ``position``. The snapshot is read in one repeatable-read transaction, together with
the sequencer's head: every event at or below ``position`` is reflected in it. Events committed
but not yet sequenced may be reflected too; they follow above ``position`` and applying them again
is harmless, because every event is keyed (listing, restriction or measure id) and idempotent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from keepword.domain.cases import EnforcementCase
from keepword.domain.errors import ValidationFailed
from keepword.domain.listings import PUBLISHED
from keepword.domain.policy import Policy
from keepword.domain.publication import published_record
from keepword.feeds.refs import load_refs
from keepword.feeds.ringback_export import ringback_orders
from keepword.feeds.sequencer import head_position, sequence_pending
from keepword.feeds.views import (BANK, CARRIER, CATEGORIES_APPLIED, CREDIT_BUREAU, GOVERNMENT, HOTEL, PARTNER_TYPES,
                                  TRANSPORT)
from keepword.store import tables as t
from keepword.store.mapping import start_mappers

CHUNK = 500


@dataclass
class Snapshot:
    partner_type: str
    position: int
    generated_at: datetime
    items: Iterator[dict]


@contextmanager
def open_snapshot(engine: Engine, partner_type: str, policy: Policy, now: datetime) -> Iterator[Snapshot]:
    """A consistent snapshot for ``partner_type``; iterate ``items`` inside the ``with`` block."""
    if partner_type not in PARTNER_TYPES:
        raise ValidationFailed("partner_type", f"must be one of {', '.join(PARTNER_TYPES)}")
    sequence_pending(engine, wait=False)  # narrow the window of committed-but-unsequenced events
    conn = engine.connect()
    if conn.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    try:
        with conn.begin():
            position = head_position(conn)
            today = now.astimezone(policy.zone).date()
            yield Snapshot(partner_type, position, now, _items(conn, partner_type, policy, today))
    finally:
        conn.close()


def _items(conn: Connection, partner_type: str, policy: Policy, today) -> Iterator[dict]:
    if partner_type in (CREDIT_BUREAU, BANK, GOVERNMENT):
        yield from _listings(conn, policy, today, with_identifier=partner_type != CREDIT_BUREAU)
    if partner_type in (TRANSPORT, HOTEL, GOVERNMENT):
        yield from _restrictions(conn, CATEGORIES_APPLIED.get(partner_type), today)
    if partner_type == CARRIER:
        yield from _ringbacks(conn, policy)


def _listings(conn: Connection, policy: Policy, today, *, with_identifier: bool) -> Iterator[dict]:
    start_mappers()
    l = t.listings.c
    rows = conn.execute(select(l.id, l.case_id).where(l.state == PUBLISHED).order_by(l.case_id, l.id)).all()
    session = Session(bind=conn)
    try:
        for i in range(0, len(rows), CHUNK):
            chunk = rows[i:i + CHUNK]
            cases = {c.id: c for c in session.scalars(
                select(EnforcementCase).where(t.cases.c.id.in_({r.case_id for r in chunk})))}
            courts = {r.id: r.name for r in conn.execute(select(t.courts.c.id, t.courts.c.name).where(
                t.courts.c.id.in_({c.court_id for c in cases.values()})))}
            for row in chunk:
                case = cases[row.case_id]
                listing = case.listing(row.id)
                party = case.debtor(listing.debtor_id).party
                item = {"action": "list", "listing_id": listing.id,
                        "published": published_record(case, listing, party, policy, today, courts.get(case.court_id)),
                        "published_on": listing.published_on.isoformat() if listing.published_on else None,
                        "expires_on": listing.expires_on.isoformat() if listing.expires_on else None}
                if with_identifier:
                    item.update(kind=party.kind, identifier=party.identifier)
                    bound = [{"role": b.role, "id_number": b.id_number} for b in party.bound_persons if b.id_number]
                    if bound:
                        item["bound_persons"] = bound
                yield item
            session.expunge_all()
    finally:
        session.close()


def _restrictions(conn: Connection, applied: frozenset[str] | None, today) -> Iterator[dict]:
    r, x = t.restrictions.c, t.exemptions.c
    rows = list(conn.execute(select(r.id, r.case_id, r.debtor_id, r.categories, r.ordered_on)
                             .where(r.lifted_on.is_(None)).order_by(r.ordered_on, r.id)))
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i:i + CHUNK]
        refs = load_refs(conn, [_Row(case_id=c.case_id, debtor_id=c.debtor_id) for c in chunk])
        exemptions: dict[str, list[dict]] = {}
        for e in conn.execute(select(x.restriction_id, x.category, x.valid_from, x.valid_until).where(
                x.restriction_id.in_({c.id for c in chunk}), x.valid_until >= today)):
            if applied is None or e.category in applied:
                exemptions.setdefault(e.restriction_id, []).append(
                    {"category": e.category, "valid_from": e.valid_from.isoformat(),
                     "valid_until": e.valid_until.isoformat()})
        for row in chunk:
            categories = [c for c in row.categories if applied is None or c in applied]
            if not categories:
                continue
            debtor = refs.debtors.get(row.debtor_id)
            item = {"action": "restrict", "restriction_id": row.id, "categories": categories,
                    "restricted_from": row.ordered_on.isoformat(),
                    "kind": debtor.kind if debtor else None, "identifier": debtor.identifier if debtor else None,
                    "exemptions": exemptions.get(row.id, [])}
            if debtor and debtor.bound_identifiers:
                item["bound_persons"] = [dict(b) for b in debtor.bound_identifiers]
            yield item


def _ringbacks(conn: Connection, policy: Policy) -> Iterator[dict]:
    for order in ringback_orders(conn, policy, active_only=True):
        yield {"action": "start", "measure_id": order["measure_id"], "phones": order["phones"],
               "sms_warning": {"text": order["sms_text"], "deadline": order["sms_deadline"]},
               "announcement": order["announcement"], "start_on": order["start_on"]}


@dataclass(frozen=True)
class _Row:
    case_id: str
    debtor_id: str

