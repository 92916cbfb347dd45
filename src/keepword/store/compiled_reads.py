"""Reads of a few rows, compiled once per dialect and run without SQLAlchemy's per-execution work.

A :class:`CompiledRead` is a Core ``select`` compiled once per dialect and run on the driver's own
connection (in the caller's transaction) or, on PostgreSQL, on the event loop
(:mod:`keepword.store.async_reads`). A read of several statements is written once as *steps*: a
generator that yields each statement with its parameters and is sent the rows; :func:`run_steps`
runs it on a connection, :func:`run_steps_on_loop` on the event loop, :func:`run_steps_on` on either as the
engine's dialect suits.
"""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Callable, Generator

from sqlalchemy import Connection, Engine, Select, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect

from keepword.store.async_reads import async_read


class CompiledRead:
    """A statement compiled once per dialect and run on the driver's own connection, in the caller's
    transaction: a read of a few rows costs several times its SQL in SQLAlchemy's per-execution work
    (cache key, execution context, result wrapping). Lists are passed whole (SQLite: a JSON array read
    by ``json_each``; PostgreSQL: an array for ``= ANY``); each column's value goes through its type's
    own result processor, so dates, JSON and amounts come back as SQLAlchemy gives them."""

    def __init__(self, build: Callable[[Callable], Select]) -> None:
        self.build = build  # called with the dialect's list membership: (column, parameter name) -> condition
        self.compiled: dict[str, tuple] = {}

    def rows(self, conn: Connection, parameters: dict) -> list:
        """The rows on ``conn``'s driver connection, in its transaction."""
        sql, arguments, shape = self._prepared(conn.dialect, parameters)
        cursor = conn.connection.driver_connection.cursor()
        try:
            return shape(cursor.execute(sql, arguments).fetchall())
        finally:
            cursor.close()

    async def rows_on_loop(self, engine: Engine, parameters: dict) -> list:
        """The rows on PostgreSQL, on the event loop (keepword.store.async_reads)."""
        sql, arguments, shape = self._prepared(NATIVE_POSTGRESQL, parameters)
        return shape(await async_read(engine, sql, arguments))

    def _prepared(self, dialect, parameters: dict) -> tuple[str, object, Callable[[list], list]]:
        key = (dialect.name, dialect.paramstyle)
        sql, order, lists, shape, constants = self.compiled.get(key) or self._compile(dialect, key)
        parameters = {**constants, **parameters}
        if dialect.name == "sqlite":
            parameters = {k: json.dumps(v) if k in lists else v for k, v in parameters.items()}
        arguments = tuple(parameters[k] for k in order) if order is not None else parameters
        return sql, arguments, shape

    def _compile(self, dialect, key: tuple) -> tuple:
        lists: set[str] = set()
        sqlite = dialect.name == "sqlite"

        def member(column, name: str):
            lists.add(name)
            if sqlite:
                return column.in_(select(literal_column("value")).select_from(func.json_each(bindparam(name))))
            return column == func.any(bindparam(name))

        statement = self.build(member)
        compiled = statement.compile(dialect=dialect)
        order = tuple(compiled.positiontup) if compiled.positiontup else None
        columns = list(statement.selected_columns)
        row = namedtuple("Row", [column.key for column in columns])
        converters = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
        constants = {k: v for k, v in compiled.params.items() if v is not None}  # literals the statement binds
        result = (str(compiled), order, frozenset(lists), _shaper(row, converters), constants)
        self.compiled[key] = result
        return result


def _shaper(row: type, converters: list) -> Callable[[list], list]:
    """What turns fetched value tuples into ``row`` tuples, each value through its column's converter."""
    if not any(converters):
        return lambda fetched: [row._make(values) for values in fetched]
    return lambda fetched: [row._make([value if convert is None or value is None else convert(value)
                                       for convert, value in zip(converters, values)]) for values in fetched]


#: PostgreSQL with its own ``$1`` parameters, for statements sent as they are on the event loop.
NATIVE_POSTGRESQL = psycopg_dialect(paramstyle="numeric_dollar")


# A read is written once as steps: a generator that yields (statement, parameters) and is sent the rows;
# it runs on a connection (run_steps) or on the event loop (run_steps_on_loop).
Steps = Generator[tuple[CompiledRead, dict], list, object]


def run_steps(conn: Connection, steps: Steps):
    try:
        statement, parameters = next(steps)
        while True:
            statement, parameters = steps.send(statement.rows(conn, parameters))
    except StopIteration as done:
        return done.value


async def run_steps_on_loop(engine: Engine, steps: Steps):
    try:
        statement, parameters = next(steps)
        while True:
            statement, parameters = steps.send(await statement.rows_on_loop(engine, parameters))
    except StopIteration as done:
        return done.value


async def run_steps_on(engine: Engine, steps: Steps):
    """Run ``steps`` where ``engine``'s reads run best: on SQLite in the process, on one connection in one
    transaction (one snapshot; WAL reads take no lock); on PostgreSQL on the event loop."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn, conn.begin():
            return run_steps(conn, steps)
    return await run_steps_on_loop(engine, steps)
