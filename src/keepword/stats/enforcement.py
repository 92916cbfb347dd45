"""Enforcement statistics from SQL aggregates (SQLAlchemy Core), shared by the CLI and the web API.

A handful of grouped queries, whatever the number of cases; ``court_ids`` limits them to some courts
(a supervisor sees the subtree of their court). Amounts are sums of whole cents, returned as strings.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Engine, and_, case, distinct, false, func, or_, select, true, type_coerce

from keepword.domain.cases import OUTCOME_DELETION_CONDITION
from keepword.domain.identifiers import china_today
from keepword.domain.listings import DECIDED, DELETED, IN_FORCE, PROPOSED, PUBLISHED, REJECTED, REVOKED, SERVED
from keepword.store import tables as t

OUTCOMES = tuple(OUTCOME_DELETION_CONDITION)
LISTING_STATES = (PROPOSED, REJECTED, DECIDED, SERVED, PUBLISHED, DELETED, REVOKED)

DEFINITIONS = {
    "enforcement_rate": "cases closed as fulfilled or settled, divided by all cases in scope (open or closed)",
    "deletion_deadline_compliance": "deletions carried out on or before their due date (3 working days after the "
                                    "deletion condition arose), divided by all deletions carried out",
    "outstanding_total": "obligation minus payments, summed over open cases",
    "listed_active": "listings in force: decided, served (awaiting publication) or published",
    "overdue_deletions": "listings still in force whose deletion due date is before as_of",
}

_c, _l, _p, _r, _o = t.cases.c, t.listings.c, t.payments.c, t.restrictions.c, t.objections.c


def enforcement_stats(engine: Engine, court_ids: list[str] | None = None, today: date | None = None) -> dict:
    """The headline numbers for the cases of ``court_ids`` (all courts when None), as of ``today``."""
    today = today or china_today()
    rows = _aggregate(engine, court_ids, today, by_court=False)
    return {"as_of": today.isoformat(), "courts_in_scope": None if court_ids is None else len(court_ids),
            **(rows.get(None) or _finish(_empty()))}


def enforcement_stats_by_court(engine: Engine, court_ids: list[str] | None = None,
                               today: date | None = None) -> list[dict]:
    """The same numbers per court that has cases, busiest first."""
    today = today or china_today()
    rows = _aggregate(engine, court_ids, today, by_court=True)
    with engine.connect() as conn:
        courts = {r.id: r for r in conn.execute(select(t.courts.c.id, t.courts.c.name, t.courts.c.level,
                                                       t.courts.c.province))}
    out = []
    for court_id, stats in rows.items():
        court = courts.get(court_id)
        out.append({"court_id": court_id, "court_name": court.name if court else None,
                    "level": court.level if court else None, "province": court.province if court else None, **stats})
    out.sort(key=lambda row: (-row["cases"], row["court_id"]))
    return out


# ---- the queries ---------------------------------------------------------------------------------
def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _cents(column):
    # The raw whole cents, not the Decimal the column type would turn each row into.
    return type_coerce(column, BigInteger)


def _aggregate(engine: Engine, court_ids: list[str] | None, today: date, by_court: bool) -> dict:
    if court_ids is not None and not court_ids:
        scope = false()
    else:
        scope = _c.court_id.in_(court_ids) if court_ids is not None else true()
    keys = [_c.court_id] if by_court else []
    groups: dict = defaultdict(_empty)

    def key(row):
        return row[0] if by_court else None

    with engine.connect() as conn:
        for row in conn.execute(select(*keys, _c.status, _c.outcome, func.count()).where(scope)
                                .group_by(*keys, _c.status, _c.outcome)):
            _add_cases(groups[key(row)], *row[len(keys):])
        paid = (select(_p.case_id, func.sum(_cents(_p.amount_cents)).label("paid")).group_by(_p.case_id).subquery())
        paid_cents = func.coalesce(paid.c.paid, 0)
        amounts = (select(*keys, _c.currency, func.count(), func.sum(_cents(_c.obligation_cents)), func.sum(paid_cents),
                          func.sum(case((_c.status == "open", _cents(_c.obligation_cents) - paid_cents), else_=0)))
                   .select_from(t.cases.outerjoin(paid, paid.c.case_id == _c.id)).where(scope)
                   .group_by(*keys, _c.currency))
        for row in conn.execute(amounts):
            _add_amounts(groups[key(row)], *row[len(keys):])
        in_force = _l.state.in_(tuple(IN_FORCE))
        listings = (select(*keys, _l.state, _l.deletion_condition, func.count(),
                           _count_if(and_(_l.state == DELETED, _l.deleted_on <= _l.deletion_due)),
                           _count_if(and_(in_force, _l.deletion_due.is_not(None))),
                           _count_if(and_(in_force, _l.deletion_due < today)))
                    .select_from(t.listings.join(t.cases, _c.id == _l.case_id)).where(scope)
                    .group_by(*keys, _l.state, _l.deletion_condition))
        for row in conn.execute(listings):
            _add_listings(groups[key(row)], *row[len(keys):])
        debtors = (select(*keys, func.count(distinct(_l.debtor_id)))
                   .select_from(t.listings.join(t.cases, _c.id == _l.case_id)).where(scope, in_force).group_by(*keys))
        for row in conn.execute(debtors):
            groups[key(row)]["listed_debtors"] = row[-1]
        active = _r.lifted_on.is_(None)
        restrictions = (select(*keys, _count_if(active), func.count(distinct(case((active, _r.debtor_id)))))
                        .select_from(t.restrictions.join(t.cases, _c.id == _r.case_id)).where(scope).group_by(*keys))
        for row in conn.execute(restrictions):
            groups[key(row)].update(restricted_active=row[-2], restricted_debtors=row[-1])
        undecided = _o.decided_on.is_(None)
        open_objection = or_(undecided, and_(_o.appealed_on.is_not(None), _o.appeal_decided_on.is_(None)))
        objections = (select(*keys, _count_if(open_objection), _count_if(and_(undecided, _o.review_due < today)))
                      .select_from(t.objections.join(t.listings, _l.id == _o.listing_id)
                                   .join(t.cases, _c.id == _l.case_id)).where(scope).group_by(*keys))
        for row in conn.execute(objections):
            groups[key(row)].update(objections_open=row[-2], objection_reviews_overdue=row[-1])
    return {k: _finish(v) for k, v in groups.items() if v["cases"]}


# ---- folding rows into the result ------------------------------------------------------------------
def _empty() -> dict:
    return {
        "cases": 0, "open": 0, "closed": 0, "fulfilled": 0, "settled": 0,
        "closed_by_outcome": {o: 0 for o in OUTCOMES},
        "enforcement_rate": None, "enforcement_rate_definition": DEFINITIONS["enforcement_rate"],
        "currency": None, "obligation_total": "0.00", "paid_total": "0.00", "outstanding_total": "0.00",
        "listings_by_state": {s: 0 for s in LISTING_STATES},
        "listed_active": 0, "listed_debtors": 0, "published": 0, "deleted": 0, "revoked": 0,
        "deleted_by_condition": {}, "deletions_on_time": 0, "deletions_late": 0,
        "deletion_deadline_compliance": None,
        "deletion_deadline_compliance_definition": DEFINITIONS["deletion_deadline_compliance"],
        "pending_deletions": 0, "overdue_deletions": 0,
        "restricted_active": 0, "restricted_debtors": 0, "objections_open": 0, "objection_reviews_overdue": 0,
        "_amounts": {},
    }


def _add_cases(g: dict, status: str, outcome: str | None, count: int) -> None:
    g["cases"] += count
    if status == "open":
        g["open"] += count
    else:
        g["closed"] += count
        g["closed_by_outcome"][outcome] = g["closed_by_outcome"].get(outcome, 0) + count


def _add_amounts(g: dict, currency: str, count: int, obligation, paid, outstanding) -> None:
    g["_amounts"][currency] = (count, int(obligation or 0), int(paid or 0), int(outstanding or 0))


def _add_listings(g: dict, state: str, condition: str | None, count: int, on_time, pending, overdue) -> None:
    g["listings_by_state"][state] = g["listings_by_state"].get(state, 0) + count
    if state == DELETED:
        g["deleted_by_condition"][condition] = g["deleted_by_condition"].get(condition, 0) + count
        g["deletions_on_time"] += int(on_time)
        g["deletions_late"] += count - int(on_time)
    g["pending_deletions"] += int(pending)
    g["overdue_deletions"] += int(overdue)


def _money(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def _finish(g: dict) -> dict:
    outcomes = g["closed_by_outcome"]
    g["fulfilled"], g["settled"] = outcomes.get("fulfilled", 0), outcomes.get("settled", 0)
    if g["cases"]:
        g["enforcement_rate"] = round((g["fulfilled"] + g["settled"]) / g["cases"], 4)
    states = g["listings_by_state"]
    g["listed_active"] = sum(states.get(s, 0) for s in IN_FORCE)
    g["published"], g["deleted"] = states.get(PUBLISHED, 0), states.get(DELETED, 0)
    g["revoked"] = states.get(REVOKED, 0)
    carried_out = g["deletions_on_time"] + g["deletions_late"]
    if carried_out:
        g["deletion_deadline_compliance"] = round(g["deletions_on_time"] / carried_out, 4)
    amounts = g.pop("_amounts")
    if amounts:
        # The currency most cases are in heads the result; any others are listed beside it.
        main = max(amounts, key=lambda cur: (amounts[cur][0], cur))
        _count, obligation, paid, outstanding = amounts[main]
        g.update(currency=main, obligation_total=_money(obligation), paid_total=_money(paid),
                 outstanding_total=_money(outstanding))
        others = {cur: {"cases": v[0], "obligation_total": _money(v[1]), "paid_total": _money(v[2]),
                        "outstanding_total": _money(v[3])} for cur, v in sorted(amounts.items()) if cur != main}
        if others:
            g["other_currencies"] = others
    return g


def court_subtree_ids(engine: Engine, court_id: str) -> list[str]:
    """The court and every court below it (what its supervisors see); empty if there is no such court."""
    with engine.connect() as conn:
        rows = conn.execute(select(t.courts.c.id, t.courts.c.parent_id)).all()
    children: dict[str | None, list[str]] = defaultdict(list)
    for cid, parent in rows:
        children[parent].append(cid)
    if court_id not in {cid for cid, _ in rows}:
        return []
    found, stack = [], [court_id]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return sorted(found)
