"""Screening a file of M records against a registry of N entries, against a DuckDB join.

Writes REGISTRY.csv (N synthetic entries) and RECORDS.csv (M records) to a temporary folder,
then times, file to file:

* ``screen_file``: keepword's screening with an index built beforehand (build timed apart),
* ``duckdb_join``: the baseline: a DuckDB LEFT JOIN of the identifiers alone (upper-cased and
  trimmed; no validation, no 15-digit numbers, no names, no dates in force) written to CSV.

The records mix: 10% listed ID numbers (a fifth of them in the old 15-digit form, which the
join cannot find), 70% valid unlisted ID numbers, 5% invalid ID numbers, 5% credit codes (half
listed), 10% name and birth date only (half of a listed person). The decisions on the 18-digit
identifiers are compared with the join's, as a correctness cross-check.

    python bench/screening/bench_bulk.py                                   # 200k entries, 100k records
    python bench/screening/bench_bulk.py --registry-entries 1000000 --records 1000000
    python bench/screening/bench_bulk.py --registry-entries 15000000 --records 1000000
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
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
        started, cpu = time.perf_counter(), time.process_time()
        summary = screen_file(index, records, tmp / "RESULTS.csv", on=ON)
        screen = {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu}
        join_seconds = duckdb_join(registry, records, tmp / "JOINED.csv")
        cross_check = agreement(tmp / "RESULTS.csv", tmp / "JOINED.csv", records)

    result = {
        "registry_entries": args.registry_entries,
        "records": args.records,
        "record_mix": mix,
        "decisions": dict(summary.decisions),
        "index_build_from_csv_seconds": {k: round(v, 2) for k, v in build.items()},
        "screen_file_seconds": {k: round(v, 2) for k, v in screen.items()},
        "screen_file_records_per_second": {k: round(args.records / v) for k, v in screen.items()},
        "baseline_duckdb_join_seconds": round(join_seconds, 2),
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


if __name__ == "__main__":
    main()
