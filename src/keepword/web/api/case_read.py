"""On PostgreSQL, the records of GET /api/v1/cases/{case_id} in one statement, for the response model.

One UNION ALL returns the case, its parties and every child record (payments, measures, listings,
objections, restrictions, exemptions) as rows of (kind, JSON object) built by ``json_build_object``;
being one statement, it reads one consistent snapshot without a transaction. It runs on the event
loop on a kept connection, prepared (:mod:`keepword.store.async_reads`, ADR 0014). The records are
assembled here into the ``CaseOut`` fields, in the orders of the ORM mapping, and the response model
validates and writes them (:mod:`keepword.web.api.case_json`). PostgreSQL could write the whole
document too, as SQLite does, but that costs the database about twice the CPU of this statement,
and the database is the tier that does not grow by adding processes (ADR 0013).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from operator import itemgetter

from sqlalchemy import Engine, Text, bindparam, cast, func, literal_column, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from keepword.store import tables as t
from keepword.store.async_reads import async_read
from keepword.store.compiled_reads import NATIVE_POSTGRESQL
from keepword.store.types import UTCDateTime
from keepword.web.schemas.cases import ExemptionOut, ListingOut, ObjectionOut, RestrictionOut

_CASE_ID = bindparam("case_id")


def _shown(table, model, *extra) -> list[tuple[str, ColumnElement]]:
    """The columns of ``table`` that ``model`` answers (by name), and ``extra`` ones needed to attach them."""
    return [(c.key, c) for c in table.c if c.key in model.model_fields or c.key in extra]


c, cp, p = t.cases.c, t.case_parties.c, t.parties.c
# kind -> (payload columns as (key, column), FROM, WHERE); each selects the rows of one case.
_PARTS: dict[str, tuple[list[tuple[str, ColumnElement]], object, ColumnElement]] = {
    "case": ([(col.key, col) for col in (c.id, c.court_id, c.case_number, c.status, c.outcome, c.obligation_cents,
                                          c.currency, c.obligation_text, c.filed_on, c.judgment_date, c.effective_date,
                                          c.warned_on, c.closed_on, c.version)],
             t.cases, c.id == _CASE_ID),
    "party": ([("link_id", cp.id), ("party_id", cp.party_id), ("role", cp.role),
               ("performance_order", cp.performance_order), ("guarantee_given", cp.guarantee_given),
               ("kind", p.kind), ("name", p.name), ("id_number", p.id_number), ("credit_code", p.credit_code)],
              t.case_parties.join(t.parties, p.id == cp.party_id), cp.case_id == _CASE_ID),
    "payment": ([(col.key, col) for col in t.payments.c if col.key != "case_id"],
                t.payments, t.payments.c.case_id == _CASE_ID),
    "measure": ([(col.key, col) for col in t.measures.c if col.key != "case_id"],
                t.measures, t.measures.c.case_id == _CASE_ID),
    "listing": (_shown(t.listings, ListingOut), t.listings, t.listings.c.case_id == _CASE_ID),
    "objection": (_shown(t.objections, ObjectionOut, "listing_id"),
                  t.objections.join(t.listings, t.listings.c.id == t.objections.c.listing_id),
                  t.listings.c.case_id == _CASE_ID),
    "restriction": (_shown(t.restrictions, RestrictionOut), t.restrictions, t.restrictions.c.case_id == _CASE_ID),
    "exemption": (_shown(t.exemptions, ExemptionOut, "restriction_id"),
                  t.exemptions.join(t.restrictions, t.restrictions.c.id == t.exemptions.c.restriction_id),
                  t.restrictions.c.case_id == _CASE_ID),
}
del c, cp, p

# The orders of the ORM mapping (keepword.store.mapping): by date, then by id (ISO dates sort as text).
_ORDER = {"party": ("role", "link_id"), "payment": ("paid_on", "id"), "measure": ("ordered_on", "id"),
          "listing": ("proposed_on", "id"), "objection": ("filed_on", "id"), "restriction": ("ordered_on", "id"),
          "exemption": ("id",)}
_SORT_KEYS = {kind: itemgetter(*keys) for kind, keys in _ORDER.items()}


def _as_utc(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)  # json_build_object renders a timestamptz with the session's offset
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


def _converter(column: ColumnElement) -> Callable | None:
    """Timestamps back to aware UTC (PostgreSQL renders them in the session's offset); dates and booleans are
    left to the response model, which reads them as its fields say."""
    return _as_utc if isinstance(column.type, UTCDateTime) else None


_CONVERTERS = {kind: [(key, fn) for key, col in columns if (fn := _converter(col)) is not None]
               for kind, (columns, _, _) in _PARTS.items()}


def _payload(columns: Iterable[tuple[str, ColumnElement]]) -> ColumnElement:
    args = []
    for key, column in columns:
        args += [literal_column(f"'{key}'"), column]
    return cast(func.json_build_object(*args), Text)


#: Compiled once, with PostgreSQL's own ``$1`` (sent as it is on the event loop, prepared).
_STATEMENT = str(union_all(*(
    select(literal_column(f"'{kind}'").label("kind"), _payload(columns).label("body")).select_from(source).where(where)
    for kind, (columns, source, where) in _PARTS.items())).compile(dialect=NATIVE_POSTGRESQL))


def _records(rows: Iterable[tuple[str, str]]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {kind: [] for kind in _PARTS}
    rows = list(rows)
    records = json.loads(f"[{','.join([body for _, body in rows])}]")  # one parse instead of one per row
    for (kind, _), record in zip(rows, records):
        for key, convert in _CONVERTERS[kind]:
            if record[key] is not None:
                record[key] = convert(record[key])
        found[kind].append(record)
    for kind, key in _SORT_KEYS.items():
        if len(found[kind]) > 1:
            found[kind].sort(key=key)
    return found


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"  # cents are never negative


def _children(records: list[dict], parent_key: str) -> dict[str, list[dict]]:
    by_parent: dict[str, list[dict]] = {}
    for record in records:
        by_parent.setdefault(record.pop(parent_key), []).append(record)
    return by_parent


async def case_records(engine: Engine, case_id: str) -> dict | None:
    """The ``CaseOut`` fields of case ``case_id`` on a PostgreSQL ``engine``; None if there is none."""
    return _case(await async_read(engine, _STATEMENT, (case_id,)))


def _case(rows: Iterable[tuple[str, str]]) -> dict | None:
    found = _records(rows)
    if not found["case"]:
        return None
    case = found["case"][0]
    paid = sum(payment["amount_cents"] for payment in found["payment"])
    objections = _children(found["objection"], "listing_id")
    exemptions = _children(found["exemption"], "restriction_id")
    return {
        **{k: v for k, v in case.items() if k != "obligation_cents"},
        "obligation": _money(case["obligation_cents"]), "paid": _money(paid),
        "outstanding": _money(max(case["obligation_cents"] - paid, 0)),
        "parties": [{"party_id": r["party_id"], "role": r["role"], "kind": r["kind"], "name": r["name"],
                     "identifier": r["id_number"] if r["kind"] == "person" else r["credit_code"],
                     "performance_order": r["performance_order"], "guarantee_given": r["guarantee_given"]}
                    for r in found["party"]],
        "payments": [{**r, "amount": _money(r["amount_cents"])} for r in found["payment"]],
        "measures": [{**r, "value": None if r["value_cents"] is None else _money(r["value_cents"])}
                     for r in found["measure"]],
        "listings": [{**r, "objections": objections.get(r["id"], [])} for r in found["listing"]],
        "restrictions": [{**r, "exemptions": exemptions.get(r["id"], [])} for r in found["restriction"]],
    }
