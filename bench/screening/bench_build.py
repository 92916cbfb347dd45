"""Index build time and resident memory for N synthetic entries, against a plain dict baseline.

Each measurement runs in its own child process so resident memory is not shared:

* ``synth``: only generating the entries (subtracted from the two others),
* ``index``: ``ScreeningIndex.build`` on the streamed entries (never a list of them),
* ``dict``: the naive exact-ID index, ``{identifier: entry_id}`` for the same entries (no
  names, birth dates or dates in force).

Reports build seconds (wall clock and CPU: the machine is shared, CPU time is steadier), resident memory added by the structure (RSS after minus RSS before),
peak RSS of the process, and bytes per entry. Medians over ``--runs``.

    python bench/screening/bench_build.py                      # 1,000,000 entries
    python bench/screening/bench_build.py --entries 15000000   # the full-size run
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1e6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # Linux reports KiB


def measure(part: str, entries: int, seed: int) -> dict:
    """Run one part in this process and return its numbers."""
    from synth import Synthesizer

    from keepword.screening import ScreeningIndex

    synthesizer = Synthesizer(seed)
    stream = synthesizer.entries(entries)
    before = rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    result: dict = {}
    if part == "synth":
        for entry in stream:
            pass
    elif part == "index":
        index = ScreeningIndex.build(stream)
        result["index_nbytes_mb"] = round(index.nbytes() / 1e6, 1)
        result["stats"] = {"entries": index.stats.entries, "organizations": index.stats.organizations,
                           "bound_persons": index.stats.bound_persons}
    elif part == "dict":
        by_identifier: dict[str, str] = {}
        for entry in stream:
            by_identifier[entry.identifier] = entry.entry_id
            for _role, number in entry.bound_persons:
                by_identifier[number] = entry.entry_id
        result["keys"] = len(by_identifier)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    gc.collect()
    result.update(part=part, seconds=round(seconds, 2), cpu_seconds=round(cpu_seconds, 2), rss_before_mb=round(before, 1),
                  rss_added_mb=round(rss_mb() - before, 1), peak_rss_mb=round(peak_rss_mb(), 1))
    result["rss_added_after_malloc_trim_mb"] = round(_trimmed_rss_mb() - before, 1)
    return result


def _trimmed_rss_mb() -> float:
    """RSS after asking glibc to hand freed heap pages (left by the build's sorting) back."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    return rss_mb()


def in_child(part: str, entries: int, seed: int) -> dict:
    output = subprocess.run([sys.executable, __file__, "--part", part, "--entries", str(entries), "--seed", str(seed)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--parts", default="synth,index,dict",
                        help="which measurements to run (the 15M dict baseline needs about 3 GB)")
    parser.add_argument("--part", choices=("synth", "index", "dict"), help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    if args.part:
        print(json.dumps(measure(args.part, args.entries, args.seed)))
        return
    runs: dict[str, list[dict]] = {part: [] for part in args.parts.split(",")}
    for _ in range(args.runs):
        for part in runs:
            runs[part].append(in_child(part, args.entries, args.seed))
            print(part, runs[part][-1], flush=True)
    median = {part: {k: statistics.median(r[k] for r in results) for k in ("seconds", "cpu_seconds", "rss_added_mb", "rss_added_after_malloc_trim_mb", "peak_rss_mb")}
              for part, results in runs.items()}
    synth = median.get("synth", {"seconds": 0.0, "cpu_seconds": 0.0})
    summary: dict = {"entries": args.entries, "runs": args.runs, "synthesis": synth}
    for part, label in (("index", "index"), ("dict", "baseline_dict")):
        if part in median:
            summary[label] = {
                **median[part],
                "build_seconds_without_synthesis": round(median[part]["seconds"] - synth["seconds"], 2),
                "build_cpu_seconds_without_synthesis": round(median[part]["cpu_seconds"] - synth["cpu_seconds"], 2),
                "rss_added_bytes_per_entry": round(median[part]["rss_added_mb"] * 1e6 / args.entries, 1),
                **{k: v for k, v in runs[part][-1].items() if k in ("index_nbytes_mb", "stats", "keys")},
            }
    summary["load_average"] = psutil.getloadavg()
    summary["raw"] = runs
    output = args.output or ROOT / "bench/results" / f"screening_build_{args.entries}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(summary, indent=2))
    print(json.dumps({k: v for k, v in summary.items() if k != "raw"}, indent=2))
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
