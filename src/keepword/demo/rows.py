"""Told demo cases as table rows, in the form the driver takes: what the ORM's flush would insert for them.

Each domain object becomes one row of its table: the columns named after its attributes, amounts
(``Money``) as whole cents and currency, and the parent's id in the foreign key the mapping fills
from a relationship (``case_parties.case_id``, ``exemptions.restriction_id``, ...). A party shared
by several cases is written once, with the first of them. tests/integration/test_demo_writes.py
checks that the database then holds exactly what the units of work's ORM flush writes for the same cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import attrgetter

from sqlalchemy import JSON, Connection, Table

from keepword.domain.cases import EnforcementCase
from keepword.domain.courts import Court
from keepword.domain.parties import Party
from keepword.store import tables as t
from keepword.store.bulk_insert import DatabaseForm, cents, write_rows


def _obligation(case: EnforcementCase) -> tuple:
    return cents(case.obligation.amount), case.obligation.currency


def _payment_amount(payment) -> tuple:
    return cents(payment.amount.amount), payment.amount.currency


def _measure_value(measure) -> tuple:
    value = measure.value
    return (None, None) if value is None else (cents(value.amount), value.currency)


class _TableRows:
    """How one domain class becomes a row of ``table``.

    Columns: the parent's id first (when the mapping sets it from a relationship), then the ones
    ``computed`` from the object as a group, then every other column from the attribute of its name.
    """

    def __init__(self, table: Table, form: DatabaseForm, *, parent: str | None = None,
                 computed: tuple[tuple[str, ...], Callable[[object], tuple]] | None = None,
                 renamed: dict[str, str] | None = None) -> None:
        renamed = renamed or {}
        computed_columns, self.compute = computed or ((), None)
        taken = {parent, *computed_columns}
        plain = [c.name for c in table.columns if c.name not in taken]
        self.table = table
        self.columns = ((parent,) if parent else ()) + computed_columns + tuple(plain)
        self.get = attrgetter(*(renamed.get(name, name) for name in plain))
        offset = len(self.columns) - len(plain)
        self.convert = tuple((index - offset, convert) for index, convert in form.converters(table, self.columns)
                             if index >= offset)
        self.json_columns = frozenset(c.name for c in table.columns if isinstance(c.type, JSON))
        self.rows: list[tuple] = []

    def add(self, obj, parent_id: str | None = None) -> None:
        values = self.get(obj)
        if self.convert:
            values = list(values)
            for index, convert in self.convert:
                value = values[index]
                if value is not None:
                    values[index] = convert(value)
        if self.compute is not None:
            values = (*self.compute(obj), *values)
        self.rows.append(tuple(values) if parent_id is None else (parent_id, *values))

    def write(self, conn: Connection) -> int:
        count = len(self.rows)
        write_rows(conn, self.table.name, self.columns, self.rows, self.json_columns)
        self.rows = []
        return count


class DemoRows:
    """Rows of courts and told cases, collected batch by batch and written table by table (parents first)."""

    def __init__(self, dialect) -> None:
        form = DatabaseForm(dialect)
        self.courts = _TableRows(t.courts, form)
        self.parties = _TableRows(t.parties, form)
        self.bound_persons = _TableRows(t.bound_persons, form, parent="party_id")
        self.cases = _TableRows(t.cases, form, computed=(("obligation_cents", "currency"), _obligation))
        self.case_parties = _TableRows(t.case_parties, form, parent="case_id", renamed={"party_id": "party.id"})
        self.payments = _TableRows(t.payments, form, parent="case_id",
                                   computed=(("amount_cents", "currency"), _payment_amount))
        self.measures = _TableRows(t.measures, form, parent="case_id",
                                   computed=(("value_cents", "value_currency"), _measure_value))
        self.listings = _TableRows(t.listings, form)
        self.objections = _TableRows(t.objections, form)
        self.restrictions = _TableRows(t.restrictions, form, parent="case_id")
        self.exemptions = _TableRows(t.exemptions, form, parent="restriction_id")
        # In the order foreign keys need.
        self.tables = (self.courts, self.parties, self.bound_persons, self.cases, self.case_parties, self.payments,
                       self.measures, self.listings, self.objections, self.restrictions, self.exemptions)
        self.written_parties: set[str] = set()

    def add_courts(self, courts: Iterable[Court]) -> None:
        for court in courts:
            self.courts.add(court)

    def add_case(self, case: EnforcementCase) -> None:
        """The case and everything in it; its parties unless an earlier case brought them."""
        case_id = case.id
        for link in case.parties:
            self._party(link.party)
        self.cases.add(case)
        for link in case.parties:
            self.case_parties.add(link, case_id)
        for payment in case.payments:
            self.payments.add(payment, case_id)
        for measure in case.measures:
            self.measures.add(measure, case_id)
        for listing in case.listings:
            self.listings.add(listing)
            for objection in listing.objections:
                self.objections.add(objection)
        for order in case.restrictions:
            self.restrictions.add(order, case_id)
            for exemption in order.exemptions:
                self.exemptions.add(exemption, order.id)

    def _party(self, party: Party) -> None:
        if party.id in self.written_parties:
            return
        self.written_parties.add(party.id)
        self.parties.add(party)
        for bound in party.bound_persons:
            self.bound_persons.add(bound, party.id)

    def write(self, conn: Connection) -> dict[str, int]:
        """Insert what was collected since the last write; returns the rows written per table."""
        return {rows.table.name: rows.write(conn) for rows in self.tables if rows.rows}
