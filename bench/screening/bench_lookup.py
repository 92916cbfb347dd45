"""Exact-ID checks per second, against a plain Python dict lookup of the same keys.

Builds an index of N synthetic entries and, for the baseline, ``{id_number: entry_id}`` for
the same identifiers. Queries: Q valid ID numbers, half listed (persons and organisations'
legal representatives), half not. Timed, each as the median of ``--repeats`` passes (the
variants interleaved, the garbage collector paused during a pass):

* ``dict_get``: ``by_id.get(number)``: the baseline (no validation, no dates in force);
* ``index_find``: ``index.find_person(number, on)`` on already normalised numbers;
* ``check``: the full ``check(index, record)``: validation (check character, date, region),
  lookup, in-force test and the Decision with its reason;
* ``validate_only``: ``parse_id_number(number)``, to show what validation alone costs.

    python bench/screening/bench_lookup.py [--entries 1000000] [--queries 200000]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))

from synth import Synthesizer  # noqa: E402

from keepword.domain.identifiers import parse_id_number  # noqa: E402
from keepword.screening import ScreeningIndex, ScreeningRecord, check  # noqa: E402

ON = date(2025, 6, 30)


def timed(passes: int, runs: dict) -> dict:
    """Median wall and CPU seconds of ``passes`` calls of each of ``runs``, interleaved (a pass of
    each in turn, so that a noisy neighbour slows them alike), with the garbage collector paused
    while a pass runs (the results pile up in a list: collections would scan them, not the lookups)."""
    walls: dict = {name: [] for name in runs}
    cpus: dict = {name: [] for name in runs}
    for _ in range(passes):
        for name, run in runs.items():
            gc.collect()
            gc.disable()
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            walls[name].append(time.perf_counter() - wall)
            cpus[name].append(time.process_time() - cpu)
            gc.enable()
    return {name: {"wall": statistics.median(walls[name]), "cpu": statistics.median(cpus[name])} for name in runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / "bench/results/screening_lookup.json")
    args = parser.parse_args()

    synthesizer = Synthesizer(2)
    entries = list(synthesizer.entries(args.entries))
    started = time.perf_counter()
    index = ScreeningIndex.build(entries)
    build_seconds = time.perf_counter() - started
    by_id = {}
    for entry in entries:
        if entry.kind == "person":
            by_id[entry.identifier] = entry.entry_id
        for _role, number in entry.bound_persons:
            by_id[number] = entry.entry_id
    listed = list(by_id)
    del entries
    rng = random.Random(3)
    queries = rng.sample(listed, min(len(listed), args.queries // 2))
    queries += [synthesizer.id_number() for _ in range(args.queries - len(queries))]
    rng.shuffle(queries)
    records = [ScreeningRecord(record_id=str(i), id_number=q) for i, q in enumerate(queries)]

    matches = {"dict": sum(by_id.get(q) is not None for q in queries),
               "index": sum(bool(index.find_person(q, ON)) for q in queries),
               "check": sum(check(index, r, on=ON).decision == "match" for r in records)}
    timings = timed(args.repeats, {
        "dict_get": lambda: [by_id.get(q) for q in queries],
        "index_find": lambda: [index.find_person(q, ON) for q in queries],
        "check": lambda: [check(index, r, on=ON) for r in records],
        "validate_only": lambda: [parse_id_number(q) for q in queries],
    })
    per_second = {name: {"wall": round(len(queries) / t["wall"]), "cpu": round(len(queries) / t["cpu"])}
                  for name, t in timings.items()}
    result = {
        "entries": args.entries,
        "queries": len(queries),
        "listed_queries": matches,
        "checks_per_second": per_second,
        "index_find_vs_dict_cpu": round(per_second["index_find"]["cpu"] / per_second["dict_get"]["cpu"], 3),
        "check_vs_dict_cpu": round(per_second["check"]["cpu"] / per_second["dict_get"]["cpu"], 3),
        "index_build_seconds": round(build_seconds, 1),
        "index_nbytes_mb": round(index.nbytes() / 1e6, 1),
        "load_average": psutil.getloadavg(),
    }
    assert matches["dict"] == matches["index"] == matches["check"], matches
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
