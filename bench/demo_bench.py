"""Demo-generation throughput (cases/s) beside a raw executemany insert of the same rows.

For each backend (SQLite in a temp file; PostgreSQL when one answers at 127.0.0.1:5432, in a
scratch database) and each of 3 runs:

1. ``demo``: what `keepword demo` does after the process starts and the schema is migrated: draw
   the plans, tell every case through the domain (register, pay, list, object, restrict, close),
   and write courts and cases in units of work of 2,000 cases (``keepword.demo.loading.BATCH_SIZE``:
   rows straight to the driver, outbox rows, audit log). The part of it spent inside the units of
   work is reported as ``demo_write``.
   As in `keepword demo`, nothing in the process maps the domain classes, so the cases are plain objects.
2. ``raw``: the rows the demo wrote, read back, deleted, and inserted again with one DBAPI
   ``executemany`` per table in one transaction: no domain, no ORM, values already in database form.
3. ``core``: the same rows through SQLAlchemy Core ``conn.execute(insert(table), rows)``.

The medians of the 3 runs and their ratios go to bench/results/demo.json.

    .venv/bin/python bench/demo_bench.py [--cases 2000] [--runs 3] [--no-postgres]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from common import (machine, medians, postgres_answers, scratch_postgres, tables_with_rows,
                    throughput_against_baselines,
                    time_core, time_raw, write_results, written_rows)

from keepword.demo.loading import DemoRun, demo_context, empty_registry
from keepword.store import mapping
from keepword.store import tables as t
from keepword.store.database import make_engine, migrate

RESULTS = Path(__file__).parent / "results" / "demo.json"
AS_OF = date(2026, 11, 27)  # fixed, so that every run and every machine writes the same data


def _time_demo(engine, cases: int) -> tuple[float, float]:
    """(seconds for the whole demo, seconds of it inside the units of work)."""
    start = time.perf_counter()
    run = DemoRun(demo_context(engine), cases=cases, seed=1, as_of=AS_OF)
    inside = [0.0]
    write = run._write

    def timed_write(rows, batch):
        began = time.perf_counter()
        write(rows, batch)
        inside[0] += time.perf_counter() - began

    run._write = timed_write
    report = run.write(engine)
    elapsed = time.perf_counter() - start
    if report.cases != cases:
        raise SystemExit(f"demo wrote {report.cases} cases, expected {cases}")
    return elapsed, inside[0]


def bench_backend(name: str, engine, cases: int, runs: int) -> dict:
    migrate(engine)
    seconds: dict[str, list[float]] = {"demo": [], "demo_write": [], "raw": [], "core": []}
    for run in range(runs):
        empty_registry(engine)
        elapsed, inside = _time_demo(engine, cases)
        seconds["demo"].append(elapsed)
        seconds["demo_write"].append(inside)
        rows = written_rows(engine, tables_with_rows(engine, t.metadata.sorted_tables))
        seconds["raw"].append(time_raw(engine, rows, empty_registry))
        seconds["core"].append(time_core(engine, rows, empty_registry))
        print(f"  {name} run {run + 1}: demo {cases / elapsed:,.0f} cases/s (writing {inside:.2f} of {elapsed:.2f} s), "
              f"raw {cases / seconds['raw'][-1]:,.0f}, core {cases / seconds['core'][-1]:,.0f}")
    rows_written = rows.counts()
    write, raw = medians(seconds)["demo_write"], medians(seconds)["raw"]
    return {
        "cases": cases,
        "rows_written": rows_written,
        "rows_total": sum(rows_written.values()),
        **throughput_against_baselines("demo", cases, seconds),
        "demo_write_phase_cases_per_s": round(cases / write, 1),
        "ratio_write_phase_to_raw": round(raw / write, 3),
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    results: dict = {"benchmark": "demo", "cases": args.cases, "runs": args.runs, "statistic": "median",
                     "target": "ratio_demo_to_raw >= 0.5", "as_of": AS_OF.isoformat(), "seed": 1, **machine(),
                     "backends": {}}
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        results["backends"]["sqlite"] = bench_backend("sqlite", sqlite, args.cases, args.runs)
        sqlite.dispose()
    if not args.no_postgres and postgres_answers():
        with scratch_postgres("keepword_demo_bench") as engine:
            results["backends"]["postgresql"] = bench_backend("postgresql", engine, args.cases, args.runs)
    else:
        print("  postgresql: no server at 127.0.0.1:5432, skipped")
    # As in `keepword demo`: the demo ran on plain domain objects (see keepword.store.mapping.mapping_held_back).
    results["domain_classes_mapped"] = mapping._mapped
    write_results(RESULTS, results)
    for name, result in results["backends"].items():
        print(f"{name}: demo {result['demo_cases_per_s']:,.0f} cases/s, raw executemany "
              f"{result['raw_executemany_cases_per_s']:,.0f} cases/s, ratio {result['ratio_demo_to_raw']} "
              f"(write phase alone: {result['ratio_write_phase_to_raw']})")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
