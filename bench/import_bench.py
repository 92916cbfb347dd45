"""Bulk-import throughput (cases/s) beside a raw executemany insert of the same rows.

For each backend (SQLite in a temp file; PostgreSQL when one answers at 127.0.0.1:5432, in a
scratch database) and each of 3 runs:

1. ``import``: ``keepword import cases`` minus the process start: read the CSV file, validate
   every row through the domain and write cases, parties, case parties and outbox rows in one
   transaction (:func:`keepword.services.imports.import_cases`). The parse caches are emptied
   first, so that no run profits from the identifiers an earlier run checked.
2. ``raw``: the rows that import wrote, read back, deleted, and inserted again with one DBAPI
   ``executemany`` per table in one transaction: no validation, no look-ups, values already in
   database form. The same tables and indexes, the same run.
3. ``core``: the same rows through SQLAlchemy Core ``execute(insert(table), rows)`` (bind
   processors for amounts, timestamps and JSON), for reference.

The medians of the 3 runs and their ratio go to bench/results/import.json.

    .venv/bin/python bench/import_bench.py [--rows 5000] [--runs 3] [--no-postgres]
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
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import insert, text

from keepword.bootstrap import build_context
from keepword.domain.courts import Court
from keepword.importing.readers import open_table
from keepword.importing.rows import clear_caches
from keepword.importing.samples import sample_rows, write_csv
from keepword.importing.sql_store import case_import_store
from keepword.services.imports import import_cases
from keepword.store import tables as t
from keepword.store.database import make_engine, migrate

RESULTS = Path(__file__).parent / "results" / "import.json"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
WRITTEN = (t.parties, t.bound_persons, t.cases, t.case_parties, t.outbox)


def _postgres_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


def _empty(engine) -> None:
    with engine.begin() as conn:
        for table in reversed(WRITTEN):
            conn.execute(table.delete())


def _seed_court(engine) -> None:
    ctx = build_context(engine)
    with ctx.uow() as uow:
        if uow.courts.find("330102") is None:
            uow.courts.add(Court(id="330102", name="杭州市上城区人民法院", province="浙江", level="basic"))
            uow.commit()


def _time_import(engine, csv_path: Path) -> tuple[float, int]:
    ctx = build_context(engine)
    clear_caches()  # as in a fresh ``keepword`` process: no identifier parsed by an earlier run
    start = time.perf_counter()
    table = open_table(csv_path)
    report = import_cases(ctx, case_import_store, table.rows, by="bench")
    elapsed = time.perf_counter() - start
    if report.errors or not report.committed:
        raise SystemExit(f"import failed: {report.errors[:3]}")
    return elapsed, report.imported


def _written_rows(engine) -> dict:
    """Everything the import wrote, as the driver returns it (database form) and as Core does."""
    raw, core = {}, {}
    with engine.connect() as conn:
        for table in WRITTEN:
            names = [c.name for c in table.columns if not (table is t.outbox and c.name == "seq")]
            cols = ", ".join(f'"{n}"' for n in names)
            result = conn.exec_driver_sql(f'SELECT {cols} FROM "{table.name}"')
            raw[table.name] = (names, [_db_form(engine, row) for row in result])
            core[table.name] = [dict(r._mapping) for r in conn.execute(table.select())]
            for r in core[table.name]:
                r.pop("seq", None)
    return {"raw": raw, "core": core}


def _db_form(engine, row) -> tuple:
    if engine.dialect.name != "postgresql":
        return tuple(row)
    from psycopg.types.json import Json

    return tuple(Json(v) if isinstance(v, dict | list) else v for v in row)


def _time_raw(engine, rows: dict) -> float:
    marker = "?" if engine.dialect.name == "sqlite" else "%s"
    _empty(engine)
    start = time.perf_counter()
    with engine.begin() as conn:
        for table in WRITTEN:
            names, values = rows["raw"][table.name]
            if values:
                sql = (f'INSERT INTO "{table.name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
                       f'VALUES ({", ".join([marker] * len(names))})')
                conn.exec_driver_sql(sql, values)
    return time.perf_counter() - start


def _time_core(engine, rows: dict) -> float:
    _empty(engine)
    start = time.perf_counter()
    with engine.begin() as conn:
        for table in WRITTEN:
            if rows["core"][table.name]:
                conn.execute(insert(table), rows["core"][table.name])
    return time.perf_counter() - start


def bench_backend(name: str, engine, csv_path: Path, runs: int) -> dict:
    migrate(engine)
    _seed_court(engine)
    imports, raws, cores, cases = [], [], [], 0
    for run in range(runs):
        _empty(engine)
        elapsed, cases = _time_import(engine, csv_path)
        imports.append(elapsed)
        rows = _written_rows(engine)
        raws.append(_time_raw(engine, rows))
        cores.append(_time_core(engine, rows))
        print(f"  {name} run {run + 1}: import {cases / elapsed:,.0f} cases/s, raw {cases / raws[-1]:,.0f}, "
              f"core {cases / cores[-1]:,.0f}")
    rows_written = {table: len(values) for table, (_, values) in rows["raw"].items()}
    median_import, median_raw, median_core = (statistics.median(x) for x in (imports, raws, cores))
    return {
        "cases": cases,
        "rows_written": rows_written,
        "import_cases_per_s": round(cases / median_import, 1),
        "raw_executemany_cases_per_s": round(cases / median_raw, 1),
        "core_executemany_cases_per_s": round(cases / median_core, 1),
        "ratio_import_to_raw": round(median_raw / median_import, 3),
        "ratio_import_to_core": round(median_core / median_import, 3),
        "seconds": {"import": imports, "raw": raws, "core": cores},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    results: dict = {"benchmark": "import", "rows": args.rows, "runs": args.runs, "statistic": "median",
                     "target": "ratio_import_to_raw >= 0.5", "machine": platform.machine(),
                     "cpus": os.cpu_count(), "python": platform.python_version(),
                     "measured_at": datetime.now(timezone.utc).isoformat(),
                     "load_average_at_start": [round(x, 2) for x in os.getloadavg()], "backends": {}}
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = write_csv(Path(tmp) / "cases.csv", sample_rows(args.rows, seed=7))
        sqlite = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        results["backends"]["sqlite"] = bench_backend("sqlite", sqlite, csv_path, args.runs)
        sqlite.dispose()
        if not args.no_postgres and _postgres_answers():
            results["backends"]["postgresql"] = _bench_postgres(csv_path, args.runs)
        else:
            print("  postgresql: no server at 127.0.0.1:5432, skipped")
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    for name, result in results["backends"].items():
        print(f"{name}: import {result['import_cases_per_s']:,.0f} cases/s, raw executemany "
              f"{result['raw_executemany_cases_per_s']:,.0f} cases/s, ratio {result['ratio_import_to_raw']}")
    print(f"wrote {RESULTS}")


def _bench_postgres(csv_path: Path, runs: int) -> dict:
    name = f"keepword_import_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_ADMIN, pool=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}")
    try:
        return bench_backend("postgresql", engine, csv_path, runs)
    finally:
        engine.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
