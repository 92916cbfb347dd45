"""Screening a file of M records against a registry of N entries, against a DuckDB join.

Writes REGISTRY.csv (N synthetic entries) and RECORDS.csv (M records) to a temporary folder,
then times, file to file:

* ``screen_file``: keepword's screening with an index built beforehand (build timed apart), in
  one process (``jobs=1``, the baseline of the parallel run) and in ``--jobs`` forked processes;
  each run starts with the ID-number fast path cold, as the command does,
* ``duckdb_join``: the baseline: a DuckDB LEFT JOIN of the identifiers alone (upper-cased and
  trimmed; no validation, no 15-digit numbers, no names, no dates in force) written to CSV.

The records mix: 10% listed ID numbers (a fifth of them in the old 15-digit form, which the
join cannot find), 70% valid unlisted ID numbers, 5% invalid ID numbers, 5% credit codes (half
listed), 10% name and birth date only (half of a listed person). The decisions on the 18-digit
identifiers are compared with the join's, as a correctness cross-check.

    python bench/screening/bench_bulk.py                                   # 200k entries, 100k records
    python bench/screening/bench_bulk.py --registry-entries 1000000 --records 1000000
    python bench/screening/bench_bulk.py --registry-entries 15000000 --records 1000000
    python bench/screening/bench_bulk.py --jobs 4 --repeats 5

Times are medians of ``--repeats`` runs; CPU seconds include the worker processes.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))

from synth import Synthesizer, write_registry  # noqa: E402

from keepword.screening import ScreeningIndex, screen_file  # noqa: E402
from keepword.screening import identifier_keys  # noqa: E402
from keepword.screening.bulk import default_jobs  # noqa: E402

ON = date(2025, 6, 30)


def write_records(path: Path, synthesizer: Synthesizer, registry_path: Path, count: int, seed: int) -> dict[str, int]:
    """RECORDS.csv with the mix described in the module docstring; returns counts per kind."""
    rng = random.Random(seed)
    people, codes = [], []
    with open(registry_path, newline="", encoding="utf-8") as registry:
        for row in csv.DictReader(registry):
            if row["kind"] == "person":
                if len(people) < 200_000 or rng.random() < 0.05:
                    people.append((row["name"], row["id_number"], row["birth_date"]))
            elif len(codes) < 50_000:
                codes.append(row["id_number"])
    mix = {"listed_id": 0, "listed_id_15": 0, "unlisted_id": 0, "invalid_id": 0, "credit_code": 0, "name_birth": 0}
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["record_id", "kind", "name", "id_number", "birth_date"])
        for i in range(count):
            draw = rng.random()
            name, number, birth = rng.choice(people)
            if draw < 0.10:
                if number[6:8] == "19" and rng.random() < 0.2:
                    kind, row = "listed_id_15", ["person", name, number[:6] + number[8:17], ""]
                else:
                    kind, row = "listed_id", ["person", name, number.lower(), ""]
            elif draw < 0.80:
                kind, row = "unlisted_id", ["person", synthesizer.person_name(), synthesizer.id_number(), ""]
            elif draw < 0.85:
                broken = number[:17] + ("1" if number[17] == "0" else "0")
                kind, row = "invalid_id", ["person", name, broken, ""]
            elif draw < 0.90:
                code = rng.choice(codes) if rng.random() < 0.5 else synthesizer.credit_code()
                kind, row = "credit_code", ["organization", "", code, ""]
            else:
                other = synthesizer.birth().isoformat()
                kind, row = "name_birth", ["person", name, "", birth if rng.random() < 0.5 else other]
            mix[kind] += 1
            writer.writerow([f"R{i}", *row])
    return mix


def timed_screens(index: ScreeningIndex, records: Path, results: dict[int, Path], repeats: int):
    """Per number of jobs (the keys of ``results``): median wall and CPU seconds (this process
    and its workers) of ``repeats`` screenings, taken in turns so that load from elsewhere
    falls on each alike; and the last summary."""
    walls: dict[int, list[float]] = {jobs: [] for jobs in results}
    cpus: dict[int, list[float]] = {jobs: [] for jobs in results}
    summaries = {}
    for _ in range(repeats):
        for jobs, output in results.items():
            # Start as `keepword screen` does, before any ID number was seen (the fast path
            # learns valid region codes and birth dates from full parses).
            identifier_keys._VALID_REGION_YEARS.clear()
            identifier_keys._BIRTH_DATES.clear()
            before, started = os.times(), time.perf_counter()
            summaries[jobs] = screen_file(index, records, output, on=ON, jobs=jobs)
            walls[jobs].append(time.perf_counter() - started)
            after = os.times()
            cpus[jobs].append(sum(after[:4]) - sum(before[:4]))
    times = {jobs: {"wall": statistics.median(walls[jobs]), "cpu": statistics.median(cpus[jobs]),
                    "runs_wall": walls[jobs]} for jobs in results}
    return times, summaries


def duckdb_join(registry: Path, records: Path, output: Path) -> float:
    """The baseline: join on the identifiers alone. Returns wall seconds."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"""
        COPY (
          WITH listed AS (
            SELECT id_number AS identifier, entry_id FROM read_csv('{registry}', all_varchar = true) WHERE id_number <> ''
            UNION ALL
            SELECT legal_representative, entry_id FROM read_csv('{registry}', all_varchar = true)
            WHERE legal_representative <> ''
          )
          SELECT r.record_id, l.entry_id
          FROM read_csv('{records}', all_varchar = true) r
          LEFT JOIN listed l ON upper(trim(r.id_number)) = l.identifier
        ) TO '{output}' (HEADER, DELIMITER ',')
    """)
    con.close()
    return time.perf_counter() - started


def agreement(results: Path, joined: Path, records: Path) -> dict[str, int]:
    """Compare keepword's matches with the join's on records with an 18-character identifier."""
    with open(joined, newline="", encoding="utf-8") as f:
        join_hit = {row["record_id"] for row in csv.DictReader(f) if row["entry_id"]}
    with open(records, newline="", encoding="utf-8") as f:
        eighteen = {row["record_id"] for row in csv.DictReader(f) if len(row["id_number"]) == 18}
    counts = {"both": 0, "only_keepword": 0, "only_join": 0}
    with open(results, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["record_id"] not in eighteen:
                continue
            ours, theirs = row["decision"] == "match", row["record_id"] in join_hit
            if ours and theirs:
                counts["both"] += 1
            elif ours:
                counts["only_keepword"] += 1
            elif theirs:
                counts["only_join"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry-entries", type=int, default=200_000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="worker processes (default: one per CPU)")
    parser.add_argument("--repeats", type=int, default=3, help="screenings timed per setting (median reported)")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    synthesizer = Synthesizer(4)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        registry, records = tmp / "REGISTRY.csv", tmp / "RECORDS.csv"
        write_registry(registry, synthesizer.entries(args.registry_entries))
        mix = write_records(records, synthesizer, registry, args.records, seed=5)

        started, cpu = time.perf_counter(), time.process_time()
        index = ScreeningIndex.from_csv(registry)
        build = {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu}
        rss_with_index = psutil.Process().memory_info().rss / 1e6
        peak_before_screening = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
        outputs = {1: tmp / "RESULTS-1.csv", args.jobs: tmp / f"RESULTS-{args.jobs}.csv"}
        times, summaries = timed_screens(index, records, outputs, args.repeats)
        sequential, screen, summary = times[1], times[args.jobs], summaries[args.jobs]
        same_output = outputs[args.jobs].read_bytes() == outputs[1].read_bytes()
        joins = [duckdb_join(registry, records, tmp / "JOINED.csv") for _ in range(args.repeats)]
        join_seconds = statistics.median(joins)
        cross_check = agreement(outputs[args.jobs], tmp / "JOINED.csv", records)

    result = {
        "registry_entries": args.registry_entries,
        "records": args.records,
        "record_mix": mix,
        "decisions": dict(summary.decisions),
        "index_build_from_csv_seconds": {k: round(v, 2) for k, v in build.items()},
        "jobs": args.jobs,
        "repeats": args.repeats,
        "screen_file_seconds": _rounded(screen),
        "screen_file_records_per_second": {k: round(args.records / screen[k]) for k in ("wall", "cpu")},
        "screen_file_jobs_1_seconds": _rounded(sequential),
        "speedup_over_jobs_1_wall": round(sequential["wall"] / screen["wall"], 2),
        "same_output_as_jobs_1": same_output,
        "baseline_duckdb_join_seconds": round(join_seconds, 2),
        "screen_file_wall_over_duckdb_join": round(screen["wall"] / join_seconds, 2),
        "baseline_duckdb_records_per_second": round(args.records / join_seconds),
        "agreement_on_18_character_identifiers": cross_check,
        "rss_after_index_build_mb": round(rss_with_index, 1),
        "peak_rss_until_index_built_mb": round(peak_before_screening, 1),
        "peak_rss_mb_including_duckdb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3, 1),
        "load_average": psutil.getloadavg(),
    }
    output = args.output or ROOT / "bench/results" / f"screening_bulk_{args.registry_entries}_{args.records}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    print(f"wrote {output}")


def _rounded(times: dict) -> dict:
    return {k: [round(x, 2) for x in v] if isinstance(v, list) else round(v, 2) for k, v in times.items()}


if __name__ == "__main__":
    main()
