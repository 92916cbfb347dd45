"""Read-side queries of the portal: what is due, case search, the public lookup, a case's timeline.

Plain SQL over the tables (no aggregate is loaded for a list); each function takes a Session and
returns plain rows or dicts, so that pages stay fast on a registry of millions of cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, extract, func, or_, select
from sqlalchemy.orm import Session

from keepword.store import tables as t

IN_FORCE = ("decided", "served", "published")


@dataclass(frozen=True)
class DueWork:
    """The officer's start page: each list ordered by its deadline, soonest first."""

    deletions: list[dict]
    objections: list[dict]
    awaiting_service: list[dict]
    grace_ending: list[dict]
    awaiting_decision: list[dict]


def _listing_rows(session: Session, court_ids: list[str], *conditions, order, limit: int) -> list[dict]:
    l, c, p = t.listings.c, t.cases.c, t.parties.c
    query = (select(l.id.label("listing_id"), l.case_id, l.state, l.grounds, l.deletion_due, l.deletion_condition,
                    l.decided_on, l.publish_on, l.proposed_on, c.case_number, c.court_id, p.name.label("debtor_name"))
             .join(t.cases, t.cases.c.id == l.case_id).join(t.parties, t.parties.c.id == l.debtor_id)
             .where(c.court_id.in_(court_ids), *conditions).order_by(order).limit(limit))
    return [dict(row._mapping) for row in session.execute(query)]


def due_work(session: Session, court_ids: list[str], *, deletion_horizon: date, grace_horizon: date,
             limit: int = 50) -> DueWork:
    """Deletions due by ``deletion_horizon`` (overdue ones included), objections awaiting the court's
    review (an appealed one is the higher court's: ``pending_appeals``), decisions awaiting service,
    grace periods ending by ``grace_horizon``, proposals to decide."""
    l = t.listings.c
    deletions = _listing_rows(session, court_ids, l.state.in_(IN_FORCE), l.deletion_due.is_not(None),
                              l.deletion_due <= deletion_horizon, order=l.deletion_due, limit=limit)
    awaiting_service = _listing_rows(session, court_ids, l.state == "decided", l.deletion_due.is_(None),
                                     order=l.decided_on, limit=limit)
    grace = _listing_rows(session, court_ids, l.state == "served", l.deletion_due.is_(None),
                          l.publish_on <= grace_horizon, order=l.publish_on, limit=limit)
    proposals = _listing_rows(session, court_ids, l.state == "proposed", order=l.proposed_on, limit=limit)
    o, c, p = t.objections.c, t.cases.c, t.parties.c
    objections = session.execute(
        select(o.id.label("objection_id"), o.listing_id, o.kind, o.filed_on, o.review_due.label("due_on"),
               l.case_id, c.case_number, p.name.label("debtor_name"))
        .join(t.listings, l.id == o.listing_id).join(t.cases, c.id == l.case_id).join(t.parties, p.id == l.debtor_id)
        .where(c.court_id.in_(court_ids), o.decided_on.is_(None))
        .order_by(o.review_due).limit(limit))
    return DueWork(deletions=deletions, objections=[dict(r._mapping) for r in objections],
                   awaiting_service=awaiting_service, grace_ending=grace, awaiting_decision=proposals)


def pending_appeals(session: Session, court_ids: list[str], limit: int = 200) -> list[dict]:
    """Appeals against dismissed objections, filed and not yet decided, from cases of ``court_ids``;
    the soonest decision deadline first."""
    o, l, c, p, ct = t.objections.c, t.listings.c, t.cases.c, t.parties.c, t.courts.c
    rows = session.execute(
        select(o.id.label("objection_id"), o.listing_id, o.kind, o.statement, o.decision_note, o.decided_on,
               o.appealed_on, o.appeal_due, l.case_id, c.case_number, c.court_id, ct.name.label("court_name"),
               p.name.label("debtor_name"))
        .join(t.listings, l.id == o.listing_id).join(t.cases, c.id == l.case_id)
        .join(t.courts, ct.id == c.court_id).join(t.parties, p.id == l.debtor_id)
        .where(c.court_id.in_(court_ids), o.appealed_on.is_not(None), o.appeal_decided_on.is_(None))
        .order_by(o.appeal_due, o.id).limit(limit))
    return [dict(r._mapping) for r in rows]


def objection_case(session: Session, objection_id: str) -> dict | None:
    """The listing, case and court an objection belongs to (None when there is no such objection)."""
    o, l, c = t.objections.c, t.listings.c, t.cases.c
    row = session.execute(select(o.listing_id, l.case_id, c.court_id)
                          .join(t.listings, l.id == o.listing_id).join(t.cases, c.id == l.case_id)
                          .where(o.id == objection_id)).first()
    return dict(row._mapping) if row is not None else None


@dataclass(frozen=True)
class CaseFilter:
    court_ids: list[str]
    court_id: str | None = None
    status: str | None = None
    listing_state: str | None = None
    case_number: str | None = None
    debtor_name: str | None = None
    debtor_identifier: str | None = None


def search_cases(session: Session, f: CaseFilter, *, limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """Cases matching every given filter, newest filing first, with their debtors' names; and the total."""
    c, cp, p, l = t.cases.c, t.case_parties.c, t.parties.c, t.listings.c
    courts = [f.court_id] if f.court_id and f.court_id in f.court_ids else f.court_ids
    conditions = [c.court_id.in_(courts)]
    if f.status:
        conditions.append(c.status == f.status)
    if f.case_number:
        conditions.append(c.case_number.contains(f.case_number.strip(), autoescape=True))
    if f.debtor_name or f.debtor_identifier:
        debtor = select(cp.case_id).join(t.parties, p.id == cp.party_id).where(cp.role == "debtor")
        if f.debtor_name:
            debtor = debtor.where(p.name.contains(f.debtor_name.strip(), autoescape=True))
        if f.debtor_identifier:
            ident = f.debtor_identifier.strip().upper()
            debtor = debtor.where(or_(p.id_number == ident, p.credit_code == ident))
        conditions.append(c.id.in_(debtor))
    if f.listing_state:
        conditions.append(c.id.in_(select(l.case_id).where(l.state == f.listing_state)))
    total = session.execute(select(func.count()).select_from(t.cases).where(*conditions)).scalar_one()
    rows = session.execute(
        select(c.id, c.case_number, c.court_id, c.status, c.outcome, c.filed_on, c.obligation_cents, c.currency)
        .where(*conditions).order_by(c.filed_on.desc(), c.id).limit(limit).offset(offset)).all()
    found = [dict(r._mapping) for r in rows]
    names = debtor_names(session, [r["id"] for r in found])
    paid = paid_totals(session, [r["id"] for r in found])
    for row in found:
        row["debtors"] = names.get(row["id"], [])
        row["paid"] = paid.get(row["id"], 0)
    return found, total


def debtor_names(session: Session, case_ids: list[str]) -> dict[str, list[str]]:
    if not case_ids:
        return {}
    cp, p = t.case_parties.c, t.parties.c
    out: dict[str, list[str]] = {}
    for case_id, name in session.execute(select(cp.case_id, p.name).join(t.parties, p.id == cp.party_id)
                                         .where(cp.case_id.in_(case_ids), cp.role == "debtor")):
        out.setdefault(case_id, []).append(name)
    return out


def paid_totals(session: Session, case_ids: list[str]) -> dict[str, object]:
    if not case_ids:
        return {}
    pay = t.payments.c
    rows = session.execute(select(pay.case_id, func.sum(pay.amount_cents)).where(pay.case_id.in_(case_ids))
                           .group_by(pay.case_id))
    return {case_id: total for case_id, total in rows}


def courts(session: Session, court_ids: list[str] | None = None) -> list[dict]:
    c = t.courts.c
    query = select(c.id, c.name, c.province, c.level, c.parent_id).order_by(c.id)
    if court_ids is not None:
        query = query.where(c.id.in_(court_ids))
    return [dict(r._mapping) for r in session.execute(query)]


def provinces(session: Session) -> list[str]:
    """Provinces that have a court, for the public search."""
    return list(session.scalars(select(t.courts.c.province).distinct().order_by(t.courts.c.province)))


def published_listings(session: Session, *, name: str, id_number: str | None = None,
                       credit_code: str | None = None, province: str | None = None, limit: int = 20) -> list[dict]:
    """Published listings of a party found by exact name plus identifier, or exact name plus province.

    Never by a name alone (RULES.md section 5). Returns case, listing and party ids to load.
    """
    l, p, c, court = t.listings.c, t.parties.c, t.cases.c, t.courts.c
    conditions = [l.state == "published", p.name == name]
    if id_number:
        conditions.append(p.id_number == id_number)
    elif credit_code:
        conditions.append(p.credit_code == credit_code)
    elif province:
        conditions.append(court.province == province)
    else:
        raise ValueError("a public search needs an identifier or a province besides the name")
    query = (select(l.id.label("listing_id"), l.case_id, l.debtor_id).join(t.parties, p.id == l.debtor_id)
             .join(t.cases, c.id == l.case_id).join(t.courts, court.id == c.court_id)
             .where(*conditions).order_by(l.published_on.desc(), l.id).limit(limit))
    return [dict(r._mapping) for r in session.execute(query)]


def case_events(session: Session, case_id: str, after_seq: int = 0) -> list[dict]:
    """The outbox events of a case in the order they were written."""
    o = t.outbox.c
    rows = session.execute(select(o.seq, o.event_id, o.type, o.debtor_id, o.actor, o.occurred_at, o.payload,
                                  o.position)
                           .where(o.case_id == case_id, o.seq > after_seq).order_by(o.seq))
    return [dict(r._mapping) for r in rows]


def last_event_seq(session: Session, case_id: str) -> int:
    o = t.outbox.c
    return session.execute(select(func.coalesce(func.max(o.seq), 0)).where(o.case_id == case_id)).scalar_one()


def cases_of_debtor(session: Session, case_number: str, id_number: str) -> list[tuple[str, str]]:
    """(case id, party id) where the party with that identifier is a debtor of a case with that number."""
    c, cp, p = t.cases.c, t.case_parties.c, t.parties.c
    rows = session.execute(select(c.id, p.id).join(t.case_parties, cp.case_id == c.id)
                           .join(t.parties, p.id == cp.party_id)
                           .where(c.case_number == case_number, cp.role == "debtor",
                                  or_(p.id_number == id_number, p.credit_code == id_number)))
    return [(case_id, party_id) for case_id, party_id in rows]


def evidence_to_review(session: Session, court_ids: list[str], limit: int = 50) -> list[dict]:
    """Proofs of payment that debtors submitted and no officer has reviewed yet, oldest first."""
    e, c, p = t.payment_evidence.c, t.cases.c, t.parties.c
    rows = session.execute(
        select(e.id, e.case_id, e.amount_cents.label("amount"), e.currency, e.paid_on, e.submitted_at,
               c.case_number, p.name.label("debtor_name"))
        .join(t.cases, c.id == e.case_id).join(t.parties, p.id == e.party_id)
        .where(c.court_id.in_(court_ids), e.status == "submitted").order_by(e.submitted_at).limit(limit))
    return [dict(r._mapping) for r in rows]


def partner_progress(session: Session, event_ids: list[str]) -> dict[str, list[dict]]:
    """Per event: every active partner, its deliveries (webhook) and its acknowledgement, if any."""
    if not event_ids:
        return {}
    pa, ack, d, ep = t.partners.c, t.feed_acks.c, t.feed_deliveries.c, t.feed_endpoints.c
    partners = [dict(r._mapping) for r in session.execute(
        select(pa.id, pa.name, pa.type).where(pa.active.is_(True)).order_by(pa.name))]
    acks = {(r.partner_id, r.event_id): r.acked_at for r in session.execute(
        select(ack.partner_id, ack.event_id, ack.acked_at).where(ack.event_id.in_(event_ids)))}
    deliveries = {(r.partner_id, r.event_id): (r.status, r.delivered_at) for r in session.execute(
        select(ep.partner_id, d.event_id, d.status, d.delivered_at).join(t.feed_endpoints, ep.id == d.endpoint_id)
        .where(d.event_id.in_(event_ids)))}
    out: dict[str, list[dict]] = {}
    for event_id in event_ids:
        out[event_id] = [{**partner, "acked_at": acks.get((partner["id"], event_id)),
                          "delivery": deliveries.get((partner["id"], event_id))} for partner in partners]
    return out


def monthly_activity(session: Session, court_ids: list[str], first_month: date) -> dict[tuple[int, int], dict]:
    """Per calendar month from ``first_month``: cases filed, cases enforced (fulfilled or settled), listings
    published, deletions carried out and how many of those met their deadline.

    Also the totals before ``first_month`` under the key (0, 0), so that cumulative rates start right.
    """
    c, l = t.cases.c, t.listings.c
    out: dict[tuple[int, int], dict] = {}

    def bucket(year, month) -> dict:
        key = (int(year), int(month)) if year is not None else (0, 0)
        return out.setdefault(key, {"filed": 0, "enforced": 0, "published": 0, "deleted": 0, "deleted_on_time": 0})

    def month_of(column):
        # Everything before the first month falls into one bucket (NULL, NULL).
        before = column < first_month
        return (case((before, None), else_=extract("year", column)).label("y"),
                case((before, None), else_=extract("month", column)).label("m"))

    y, m = month_of(c.filed_on)
    for row in session.execute(select(y, m, func.count()).where(c.court_id.in_(court_ids)).group_by(y, m)):
        bucket(row[0], row[1])["filed"] += row[2]
    y, m = month_of(c.closed_on)
    for row in session.execute(select(y, m, func.count()).where(c.court_id.in_(court_ids), c.closed_on.is_not(None),
                                                                c.outcome.in_(("fulfilled", "settled")))
                               .group_by(y, m)):
        bucket(row[0], row[1])["enforced"] += row[2]
    scoped = select(c.id).where(c.court_id.in_(court_ids))
    y, m = month_of(l.published_on)
    for row in session.execute(select(y, m, func.count()).where(l.case_id.in_(scoped), l.published_on.is_not(None))
                               .group_by(y, m)):
        bucket(row[0], row[1])["published"] += row[2]
    y, m = month_of(l.deleted_on)
    on_time = func.coalesce(func.sum(case((l.deleted_on <= l.deletion_due, 1), else_=0)), 0)
    for row in session.execute(select(y, m, func.count(), on_time).where(l.case_id.in_(scoped), l.deleted_on.is_not(None))
                               .group_by(y, m)):
        bucket(row[0], row[1])["deleted"] += row[2]
        bucket(row[0], row[1])["deleted_on_time"] += int(row[3])
    return out
