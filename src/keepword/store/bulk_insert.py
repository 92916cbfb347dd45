"""Rows handed straight to the driver: multi-row ``INSERT`` statements on SQLite, ``COPY`` on PostgreSQL.

For the bulk writers (the case import, the demo) and the writes every commit makes (outbox rows, audit
entries), which put their values in database form themselves (:class:`DatabaseForm`): the ORM's
object-at-a-time flush and Core's per-row bind processing both cost more than the inserts. The rows go
through the caller's connection, so into its transaction.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import chain

from sqlalchemy import Column, Connection, Date, Table
from sqlalchemy.types import JSON

from keepword.store.types import UTCDateTime


#: From this many rows on, PostgreSQL gets them by ``COPY`` (two round trips whatever the count), below
#: in one multi-row ``INSERT`` (one round trip); SQLite gets them in multi-row ``INSERT`` statements, below
#: by ``executemany`` (one statement text whatever the count, prepared once).
COPY_FROM_ROWS = 64


def write_rows(conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence],
               json_columns: frozenset[str] = frozenset()) -> None:
    """Insert ``rows`` (values in ``columns`` order, in database form, JSON as text) with as few round trips
    as the count allows, on the DB-API connection itself (Core's per-statement work cost as much as a small
    insert): :func:`insert_on_driver`, except for a few rows on PostgreSQL, which go in one multi-row
    ``INSERT``. Database errors reach the caller as the driver raises them."""
    if not rows:
        return
    if not conn.in_transaction():
        conn.begin()  # what Core's autobegin would do: the rows go into the caller's transaction, never alone
    if conn.dialect.name != "postgresql" or len(rows) >= COPY_FROM_ROWS:
        insert_on_driver(conn.connection.driver_connection, conn.dialect.name, table, columns, rows)
        return
    marks = "(" + ", ".join("%s::json" if c in json_columns else "%s" for c in columns) + ")"
    with conn.connection.driver_connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([marks] * len(rows))}",
                       [value for row in rows for value in row])


#: The most parameters SQLite takes in one statement (its SQLITE_MAX_VARIABLE_NUMBER since 3.32).
SQLITE_MAX_PARAMETERS = 32766


def insert_on_driver(driver, dialect_name: str, table: str, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Insert ``rows`` (in database form) on the DB-API connection ``driver``, with no SQLAlchemy object in
    between, so from a thread of its own too (:class:`keepword.store.write_behind.WriteBehind`). The driver's
    errors reach the caller as it raises them.

    On SQLite, many rows go in multi-row ``INSERT`` statements, as many rows each as its parameter limit
    allows: they cost SQLite less than ``executemany`` does, and Python's sqlite3 lets other threads run
    while SQLite executes a statement, taking the interpreter lock back after it. One statement per thousand
    rows leaves the insert to SQLite alone, where ``executemany`` took the lock back after every row (and,
    with another thread busy, waited for it each time). On PostgreSQL ``COPY``.
    """
    if not rows:
        return
    if dialect_name == "postgresql":
        _copy(driver, table, columns, rows)
        return
    width = len(columns)
    if len(rows) < COPY_FROM_ROWS:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * width)})"
        if len(rows) == 1:
            driver.execute(sql, rows[0])
        else:
            driver.executemany(sql, rows)
        return
    per_statement = SQLITE_MAX_PARAMETERS // width
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    marks = "(" + ", ".join("?" * width) + ")"
    for start in range(0, len(rows), per_statement):
        part = rows[start:start + per_statement]
        driver.execute(head + ", ".join([marks] * len(part)), list(chain.from_iterable(part)))


def _copy(driver, table: str, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """PostgreSQL's COPY on a psycopg connection, so in its transaction."""
    cursor = driver.cursor()
    try:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row)
    finally:
        cursor.close()


class DatabaseForm:
    """Python values as the column types' bind processors hand them to the driver, without Core's per-row work.

    Dates are ISO text on SQLite (what its DATE type stores) and date objects for psycopg; timestamps go
    through their column type's own processor; JSON is the text ``json.dumps`` gives (SQLAlchemy's default
    serializer, so the stored text is the same). Amounts (:class:`keepword.store.types.Cents`) are the
    caller's: :func:`cents`.
    """

    def __init__(self, dialect) -> None:
        self.sqlite = dialect.name == "sqlite"
        self.timestamp = timestamp_form(dialect)
        self.day: Callable[[date], object] = date.isoformat if self.sqlite else _same

    def converter(self, column: Column) -> Callable[[object], object] | None:
        """What turns a non-None value of ``column`` into database form; None when the value is already in it."""
        kind = column.type
        if isinstance(kind, UTCDateTime):
            return self.timestamp
        if isinstance(kind, Date):
            return self.day if self.sqlite else None
        if isinstance(kind, JSON):
            return json_text
        return None

    def converters(self, table: Table, columns: Sequence[str]) -> tuple[tuple[int, Callable], ...]:
        """``(position, converter)`` for the columns of ``columns`` whose values need one."""
        found = []
        for index, name in enumerate(columns):
            convert = self.converter(table.c[name])
            if convert is not None:
                found.append((index, convert))
        return tuple(found)


def timestamp_form(dialect) -> Callable[[datetime], object]:
    """An aware timestamp as a :class:`~keepword.store.types.UTCDateTime` column's bind processor hands it to
    ``dialect``'s driver, remembering the last instants converted.

    The rows, outbox rows and audit entries of one bulk write mostly share their instants (a case is
    created when its first event occurs, and that event has an outbox row and an audit entry), and the
    processor (a conversion to UTC, then text on SQLite) cost more than the look-up. Equal instants give
    equal values whatever their time zone, so they may share one.
    """
    key = (dialect.name, dialect.driver)
    form = _TIMESTAMP_FORMS.get(key)
    if form is None:
        processor = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
        form = _TIMESTAMP_FORMS[key] = lru_cache(maxsize=16384)(processor)
    return form


_TIMESTAMP_FORMS: dict[tuple[str, str], Callable[[datetime], object]] = {}


def _json_encoder() -> Callable[[object], str]:
    """``json.dumps`` with its default settings (the text SQLAlchemy's JSON type stores), set up once
    instead of for every call.

    ``json.dumps`` builds its C encoder anew on each call, which took almost half the time of
    encoding a payload; without the C accelerator this is ``json.dumps`` itself.
    """
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_encoder is None:
        return json.dumps
    encode = make_encoder(None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None, ": ", ", ",
                          False, False, True)  # no circular-reference markers: stored values are trees
    return lambda value: "".join(encode(value, 0))


#: ``json.dumps(value)``, faster.
json_text = _json_encoder()


def _same(value):
    return value


_HUNDRED = Decimal(100)


def cents(amount: Decimal) -> int:
    """An amount in whole cents, as :class:`keepword.store.types.Cents` stores it."""
    return int((amount * _HUNDRED).to_integral_exact())
