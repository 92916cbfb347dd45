"""Demo-generation throughput (cases/s) beside a raw executemany insert of the same rows.

For each backend (SQLite in a temp file; PostgreSQL when one answers at 127.0.0.1:5432, in a
scratch database) and each of 3 runs:

1. ``demo``: what `keepword demo` does after the process starts and the schema is migrated: draw
   the plans, tell every case through the domain (register, pay, list, object, restrict, close),
   and write courts and cases in units of work of 500 cases (ORM flush, outbox rows, audit log).
   The part of it spent inside the units of work is reported as ``demo_write``.
2. ``raw``: the rows the demo wrote, read back, deleted, and inserted again with one DBAPI
   ``executemany`` per table in one transaction: no domain, no ORM, values already in database form.
3. ``core``: the same rows through SQLAlchemy Core ``conn.execute(insert(table), rows)``.

The medians of the 3 runs and their ratios go to bench/results/demo.json.

    .venv/bin/python bench/demo_bench.py [--cases 2000] [--runs 3] [--no-postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import func, insert, select, text

from keepword.demo.loading import DemoRun, demo_context, empty_registry
from keepword.store import tables as t
from keepword.store.database import make_engine, migrate

RESULTS = Path(__file__).parent / "results" / "demo.json"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
AS_OF = date(2026, 11, 27)  # fixed, so that every run and every machine writes the same data


def _postgres_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


def _time_demo(engine, cases: int) -> tuple[float, float]:
    """(seconds for the whole demo, seconds of it inside the units of work)."""
    start = time.perf_counter()
    run = DemoRun(demo_context(engine), cases=cases, seed=1, as_of=AS_OF)
    inside = [0.0]
    write = run._write

    def timed_write(batch):
        began = time.perf_counter()
        write(batch)
        inside[0] += time.perf_counter() - began

    run._write = timed_write
    report = run.write(engine)
    elapsed = time.perf_counter() - start
    if report.cases != cases:
        raise SystemExit(f"demo wrote {report.cases} cases, expected {cases}")
    return elapsed, inside[0]


def _written_tables(engine) -> list:
    with engine.connect() as conn:
        return [table for table in t.metadata.sorted_tables
                if conn.execute(select(func.count()).select_from(table)).scalar_one()]


def _written_rows(engine, tables: list) -> dict:
    """Everything the demo wrote, as the driver returns it (database form) and as Core does."""
    raw, core = {}, {}
    with engine.connect() as conn:
        for table in tables:
            names = [c.name for c in table.columns]
            cols = ", ".join(f'"{n}"' for n in names)
            result = conn.exec_driver_sql(f'SELECT {cols} FROM "{table.name}"')
            raw[table.name] = (names, [_db_form(engine, row) for row in result])
            core[table.name] = [dict(r._mapping) for r in conn.execute(table.select())]
    return {"raw": raw, "core": core}


def _db_form(engine, row) -> tuple:
    if engine.dialect.name != "postgresql":
        return tuple(row)
    from psycopg.types.json import Json

    return tuple(Json(v) if isinstance(v, dict | list) else v for v in row)


def _time_raw(engine, tables: list, rows: dict) -> float:
    marker = "?" if engine.dialect.name == "sqlite" else "%s"
    empty_registry(engine)
    start = time.perf_counter()
    with engine.begin() as conn:
        for table in tables:
            names, values = rows["raw"][table.name]
            sql = (f'INSERT INTO "{table.name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
                   f'VALUES ({", ".join([marker] * len(names))})')
            conn.exec_driver_sql(sql, values)
    return time.perf_counter() - start


def _time_core(engine, tables: list, rows: dict) -> float:
    empty_registry(engine)
    start = time.perf_counter()
    with engine.begin() as conn:
        for table in tables:
            conn.execute(insert(table), rows["core"][table.name])
    return time.perf_counter() - start


def bench_backend(name: str, engine, cases: int, runs: int) -> dict:
    migrate(engine)
    demos, writes, raws, cores = [], [], [], []
    for run in range(runs):
        empty_registry(engine)
        elapsed, inside = _time_demo(engine, cases)
        demos.append(elapsed)
        writes.append(inside)
        tables = _written_tables(engine)
        rows = _written_rows(engine, tables)
        raws.append(_time_raw(engine, tables, rows))
        cores.append(_time_core(engine, tables, rows))
        print(f"  {name} run {run + 1}: demo {cases / elapsed:,.0f} cases/s (writing {inside:.1f} of {elapsed:.1f} s), "
              f"raw {cases / raws[-1]:,.0f}, core {cases / cores[-1]:,.0f}")
    rows_written = {table: len(values) for table, (_, values) in rows["raw"].items()}
    demo, write, raw, core = (statistics.median(x) for x in (demos, writes, raws, cores))
    return {
        "cases": cases,
        "rows_written": rows_written,
        "rows_total": sum(rows_written.values()),
        "demo_cases_per_s": round(cases / demo, 1),
        "raw_executemany_cases_per_s": round(cases / raw, 1),
        "core_executemany_cases_per_s": round(cases / core, 1),
        "ratio_demo_to_raw": round(raw / demo, 3),
        "ratio_demo_to_core": round(core / demo, 3),
        "demo_write_phase_cases_per_s": round(cases / write, 1),
        "ratio_write_phase_to_raw": round(raw / write, 3),
        "target_met": raw / demo >= 0.5,
        "seconds": {"demo": demos, "demo_write": writes, "raw": raws, "core": cores},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    results: dict = {"benchmark": "demo", "cases": args.cases, "runs": args.runs, "statistic": "median",
                     "target": "ratio_demo_to_raw >= 0.5", "as_of": AS_OF.isoformat(), "seed": 1,
                     "machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
                     "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
                     "measured_at": datetime.now(timezone.utc).isoformat(), "backends": {}}
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        results["backends"]["sqlite"] = bench_backend("sqlite", sqlite, args.cases, args.runs)
        sqlite.dispose()
    if not args.no_postgres and _postgres_answers():
        results["backends"]["postgresql"] = _bench_postgres(args.cases, args.runs)
    else:
        print("  postgresql: no server at 127.0.0.1:5432, skipped")
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    for name, result in results["backends"].items():
        print(f"{name}: demo {result['demo_cases_per_s']:,.0f} cases/s, raw executemany "
              f"{result['raw_executemany_cases_per_s']:,.0f} cases/s, ratio {result['ratio_demo_to_raw']} "
              f"(write phase alone: {result['ratio_write_phase_to_raw']})")
    print(f"wrote {RESULTS}")


def _bench_postgres(cases: int, runs: int) -> dict:
    name = f"keepword_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_ADMIN, pool=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}")
    try:
        return bench_backend("postgresql", engine, cases, runs)
    finally:
        engine.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
