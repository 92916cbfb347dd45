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

from sqlalchemy import Connection, bindparam, select

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


_c, _k, _m, _p, _b = t.cases.c, t.courts.c, t.measures.c, t.parties.c, t.bound_persons.c
# Built once: the relay runs these for every batch, and building a statement costs more than running it.
_CASES = (select(_c.id, _c.court_id, _c.case_number, _k.id.label("known_court"), _k.name, _k.province, _k.level,
                 _k.parent_id, _k.timezone, _k.ringback_template)
          .outerjoin(t.courts, _k.id == _c.court_id).where(_c.id.in_(bindparam("ids", expanding=True))))
_RINGBACKS = (select(_m.id, _m.case_id, _m.debtor_id)
              .where(_m.case_id.in_(bindparam("ids", expanding=True)), _m.kind == "ringback_notice")
              .order_by(_m.ordered_on, _m.id))
_BOUND = (select(_b.party_id, _b.role, _b.id_number)
          .where(_b.party_id.in_(bindparam("ids", expanding=True)), _b.id_number.is_not(None))
          .order_by(_b.party_id, _b.role))
_PARTIES = (select(_p.id, _p.kind, _p.name, _p.id_number, _p.credit_code, _p.phones)
            .where(_p.id.in_(bindparam("ids", expanding=True))))


def load_refs(conn: Connection, events: Iterable, *, debtors: bool = True, ringbacks: bool = True) -> Refs:
    """Load, in a few batched queries, everything the views of ``events`` (outbox rows) need.

    Cases and their courts always come (an envelope's ``source`` names the court); a caller that
    knows its views need no parties or ringback measures (a credit bureau's) can leave those out.
    """
    events = list(events)
    debtor_ids = {e.debtor_id for e in events if e.debtor_id}
    case_ids = {e.case_id for e in events if e.case_id}
    refs = Refs()
    if debtors and debtor_ids:
        _load_debtors(conn, debtor_ids, refs)
    if case_ids:
        for row in conn.execute(_CASES, {"ids": sorted(case_ids)}):
            refs.case_courts[row.id] = row.court_id
            refs.case_numbers[row.id] = row.case_number
            if row.known_court is not None and row.court_id not in refs.courts:
                refs.courts[row.court_id] = Court(id=row.court_id, name=row.name, province=row.province,
                                                  level=row.level, parent_id=row.parent_id, timezone=row.timezone,
                                                  ringback_template=row.ringback_template)
        if ringbacks:
            refs.ringbacks = load_ringbacks(conn, case_ids)
    return refs


def load_ringbacks(conn: Connection, case_ids: set[str]) -> dict[tuple[str, str], list[str]]:
    """(case id, debtor id) -> the ringback measures ordered for that debtor in that case."""
    found: dict[tuple[str, str], list[str]] = {}
    if case_ids:
        for row in conn.execute(_RINGBACKS, {"ids": sorted(case_ids)}):
            found.setdefault((row.case_id, row.debtor_id), []).append(row.id)
    return found


def _load_debtors(conn: Connection, debtor_ids: set[str], refs: Refs) -> None:
    bound: dict[str, list[dict]] = {}
    ids = {"ids": sorted(debtor_ids)}
    for row in conn.execute(_BOUND, ids):
        bound.setdefault(row.party_id, []).append({"role": row.role, "id_number": row.id_number})
    for row in conn.execute(_PARTIES, ids):
        refs.debtors[row.id] = DebtorRef(
            id=row.id, kind=row.kind, name=row.name, identifier=row.id_number or row.credit_code,
            phones=tuple(row.phones or ()), bound_identifiers=tuple(bound.get(row.id, ())))
