"""What partner views join at delivery time: the debtor's identifier and phones, the case's court.

The outbox keeps no identifier or phone number: partner views look them up when an event is rendered.
An identifier never changes for a party, and phone numbers should be the ones registered now (a
ringback follows every number registered to the debtor's ID), so the join gives the right answer;
it also keeps personal data out of the retained feed, and a party purged under its retention period
disappears from every view with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from keepword.domain.courts import Court
from keepword.store import tables as t


@dataclass(frozen=True)
class DebtorRef:
    id: str
    kind: str
    name: str
    identifier: str | None
    phones: tuple[str, ...]
    bound_identifiers: tuple[dict, ...] = ()


@dataclass
class Refs:
    """Parties, cases, courts and ringback measures for one page of events."""

    debtors: dict[str, DebtorRef] = field(default_factory=dict)
    case_courts: dict[str, str] = field(default_factory=dict)
    case_numbers: dict[str, str] = field(default_factory=dict)
    courts: dict[str, Court] = field(default_factory=dict)
    # (case_id, debtor_id) -> ids of ringback measures ordered for that debtor in that case
    ringbacks: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def court_of(self, case_id: str | None) -> Court | None:
        court_id = self.case_courts.get(case_id or "")
        return self.courts.get(court_id) if court_id else None


def load_refs(conn: Connection, events: Iterable) -> Refs:
    """Load, in a few batched queries, everything the views of ``events`` (outbox rows) need."""
    events = list(events)
    debtor_ids = {e.debtor_id for e in events if e.debtor_id}
    case_ids = {e.case_id for e in events if e.case_id}
    refs = Refs()
    if debtor_ids:
        _load_debtors(conn, debtor_ids, refs)
    if case_ids:
        for row in conn.execute(select(t.cases.c.id, t.cases.c.court_id, t.cases.c.case_number)
                                .where(t.cases.c.id.in_(case_ids))):
            refs.case_courts[row.id] = row.court_id
            refs.case_numbers[row.id] = row.case_number
        court_ids = set(refs.case_courts.values())
        if court_ids:
            for row in conn.execute(select(t.courts).where(t.courts.c.id.in_(court_ids))):
                refs.courts[row.id] = Court(id=row.id, name=row.name, province=row.province, level=row.level,
                                            parent_id=row.parent_id, timezone=row.timezone,
                                            ringback_template=row.ringback_template)
        refs.ringbacks = load_ringbacks(conn, case_ids)
    return refs


def load_ringbacks(conn: Connection, case_ids: set[str]) -> dict[tuple[str, str], list[str]]:
    """(case id, debtor id) -> the ringback measures ordered for that debtor in that case."""
    m = t.measures.c
    found: dict[tuple[str, str], list[str]] = {}
    if case_ids:
        for row in conn.execute(select(m.id, m.case_id, m.debtor_id).where(
                m.case_id.in_(case_ids), m.kind == "ringback_notice").order_by(m.ordered_on, m.id)):
            found.setdefault((row.case_id, row.debtor_id), []).append(row.id)
    return found


def _load_debtors(conn: Connection, debtor_ids: set[str], refs: Refs) -> None:
    p, b = t.parties.c, t.bound_persons.c
    bound: dict[str, list[dict]] = {}
    for row in conn.execute(select(b.party_id, b.role, b.id_number).where(
            b.party_id.in_(debtor_ids), b.id_number.is_not(None)).order_by(b.party_id, b.role)):
        bound.setdefault(row.party_id, []).append({"role": row.role, "id_number": row.id_number})
    for row in conn.execute(select(p.id, p.kind, p.name, p.id_number, p.credit_code, p.phones)
                            .where(p.id.in_(debtor_ids))):
        refs.debtors[row.id] = DebtorRef(
            id=row.id, kind=row.kind, name=row.name, identifier=row.id_number or row.credit_code,
            phones=tuple(row.phones or ()), bound_identifiers=tuple(bound.get(row.id, ())))
