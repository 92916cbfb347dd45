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
import tempfile
import time
from pathlib import Path

from common import (machine, postgres_answers, scratch_postgres, throughput_against_baselines, time_core, time_raw,
                    write_results, written_rows)

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
WRITTEN = (t.parties, t.bound_persons, t.cases, t.case_parties, t.outbox)


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


def bench_backend(name: str, engine, csv_path: Path, runs: int) -> dict:
    migrate(engine)
    _seed_court(engine)
    seconds: dict[str, list[float]] = {"import": [], "raw": [], "core": []}
    cases = 0
    for run in range(runs):
        _empty(engine)
        elapsed, cases = _time_import(engine, csv_path)
        seconds["import"].append(elapsed)
        rows = written_rows(engine, WRITTEN)
        seconds["raw"].append(time_raw(engine, rows, _empty))
        seconds["core"].append(time_core(engine, rows, _empty))
        print(f"  {name} run {run + 1}: import {cases / elapsed:,.0f} cases/s, raw {cases / seconds['raw'][-1]:,.0f}, "
              f"core {cases / seconds['core'][-1]:,.0f}")
    return {
        "cases": cases,
        "rows_written": rows.counts(),
        **throughput_against_baselines("import", cases, seconds),
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    results: dict = {"benchmark": "import", "rows": args.rows, "runs": args.runs, "statistic": "median",
                     "target": "ratio_import_to_raw >= 0.5", **machine(), "backends": {}}
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = write_csv(Path(tmp) / "cases.csv", sample_rows(args.rows, seed=7))
        sqlite = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        results["backends"]["sqlite"] = bench_backend("sqlite", sqlite, csv_path, args.runs)
        sqlite.dispose()
        if not args.no_postgres and postgres_answers():
            with scratch_postgres("keepword_import_bench") as engine:
                results["backends"]["postgresql"] = bench_backend("postgresql", engine, csv_path, args.runs)
        else:
            print("  postgresql: no server at 127.0.0.1:5432, skipped")
    write_results(RESULTS, results)
    for name, result in results["backends"].items():
        print(f"{name}: import {result['import_cases_per_s']:,.0f} cases/s, raw executemany "
              f"{result['raw_executemany_cases_per_s']:,.0f} cases/s, ratio {result['ratio_import_to_raw']}")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
