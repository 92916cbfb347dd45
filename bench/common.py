"""What the benchmarks share (mostly the bulk-write ones, demo_bench.py and import_bench.py).

Their baseline: the rows a run wrote, read back as the driver returns them, deleted, and inserted
again with one DB-API ``executemany`` per table in one transaction (``raw``: no domain, no ORM,
values already in database form), and through SQLAlchemy Core's ``execute(insert(table), rows)``
for reference (``core``: bind processors for amounts, timestamps and JSON). Also: a scratch
PostgreSQL database, a free port, the machine facts every result records, and medians.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Engine, Table, func, insert, select, text

from keepword.store.database import make_engine

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 at the moment of asking."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_answers(tries: int = 5) -> bool:
    """Whether a server listens on 127.0.0.1:5432 (asked a few times: a loaded machine can be slow to answer)."""
    for attempt in range(tries):
        try:
            with socket.create_connection(("127.0.0.1", 5432), timeout=2):
                return True
        except OSError:
            if attempt + 1 < tries:
                time.sleep(1)
    return False


@contextmanager
def scratch_postgres(prefix: str) -> Iterator[Engine]:
    """A new, empty PostgreSQL database for one benchmark, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_ADMIN, pool=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def machine() -> dict:
    """What a result must say about where it was measured (the load tells how noisy the machine was)."""
    return {"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "measured_at": datetime.now(timezone.utc).isoformat(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def write_results(path: Path, results: dict) -> None:
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def medians(seconds: dict[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(values) for name, values in seconds.items()}


def ratios_per_run(baseline: list[float], measured: list[float]) -> list[float]:
    """``baseline / measured`` of each run: each pair measured in the same run, under the same load."""
    return [round(b / m, 3) for b, m in zip(baseline, measured)]


@dataclass
class WrittenRows:
    """The rows a run left in ``tables``: for the driver (database form) and for Core (Python values)."""

    tables: list[Table]
    raw: dict[str, tuple[list[str], list[tuple]]]
    core: dict[str, list[dict]]

    def counts(self) -> dict[str, int]:
        return {name: len(values) for name, (_, values) in self.raw.items()}


def throughput_against_baselines(label: str, cases: int, seconds: dict[str, list[float]]) -> dict:
    """Cases/s of ``label`` beside the raw and Core executemany baselines (medians), with their ratios
    and whether the aim (at least half of raw) was met."""
    median = medians(seconds)
    measured, raw, core = (median[k] for k in (label, "raw", "core"))
    return {
        f"{label}_cases_per_s": round(cases / measured, 1),
        "raw_executemany_cases_per_s": round(cases / raw, 1),
        "core_executemany_cases_per_s": round(cases / core, 1),
        f"ratio_{label}_to_raw": round(raw / measured, 3),
        f"ratio_{label}_to_raw_per_run": ratios_per_run(seconds["raw"], seconds[label]),
        f"ratio_{label}_to_core": round(core / measured, 3),
        "target_met": raw / measured >= 0.5,
    }


def tables_with_rows(engine: Engine, tables: Sequence[Table]) -> list[Table]:
    with engine.connect() as conn:
        return [table for table in tables if conn.execute(select(func.count()).select_from(table)).scalar_one()]


def written_rows(engine: Engine, tables: Sequence[Table]) -> WrittenRows:
    """Read back every row of ``tables``; an auto-incremented key (the outbox's ``seq``) is left to the database."""
    raw, core = {}, {}
    with engine.connect() as conn:
        for table in tables:
            names = [c.name for c in table.columns if c is not table.autoincrement_column]
            columns = ", ".join(f'"{n}"' for n in names)
            result = conn.exec_driver_sql(f'SELECT {columns} FROM "{table.name}"')
            raw[table.name] = (names, [_database_form(engine, row) for row in result])
            core[table.name] = [{n: row[n] for n in names} for row in
                                (r._mapping for r in conn.execute(table.select()))]
    return WrittenRows(list(tables), raw, core)


def _database_form(engine: Engine, row) -> tuple:
    if engine.dialect.name != "postgresql":
        return tuple(row)
    from psycopg.types.json import Json

    return tuple(Json(v) if isinstance(v, dict | list) else v for v in row)


def time_raw(engine: Engine, rows: WrittenRows, empty: Callable[[Engine], None]) -> float:
    """Seconds to insert ``rows`` again with one DB-API ``executemany`` per table, in one transaction."""
    marker = "?" if engine.dialect.name == "sqlite" else "%s"
    empty(engine)
    start = time.perf_counter()
    with engine.begin() as conn:
        for table in rows.tables:
            names, values = rows.raw[table.name]
            if values:
                sql = (f'INSERT INTO "{table.name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
                       f'VALUES ({", ".join([marker] * len(names))})')
                conn.exec_driver_sql(sql, values)
    return time.perf_counter() - start


def time_core(engine: Engine, rows: WrittenRows, empty: Callable[[Engine], None]) -> float:
    """Seconds to insert ``rows`` again through SQLAlchemy Core, in one transaction."""
    empty(engine)
    start = time.perf_counter()
    with engine.begin() as conn:
        for table in rows.tables:
            if rows.core[table.name]:
                conn.execute(insert(table), rows.core[table.name])
    return time.perf_counter() - start
