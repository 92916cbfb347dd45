"""Screening over HTTP: single checks and 10,000-record batches against a ``keepword screen-server``.

One replica process (``keepword screen-server --registry REGISTRY.csv``, N synthetic entries, a
SQLite file for the API key and the audit log) serves on a free port of 127.0.0.1. In the same
run, alternating, each ``--runs`` times (medians reported):

* ``health``: ``GET /health`` of the same server: no authentication, no index, no audit (the
  baseline the single checks are compared with);
* ``check``: ``POST /api/v1/screening/check`` with a partner API key and one valid 18-digit ID
  number (half of them listed): the key (cached), the decision and the audit entry (group commit);
* ``batch``: ``POST /api/v1/screening/batch`` with 10,000 such records: records per second.

Besides requests per second, the server's own CPU time per request is recorded (from the
process's CPU times around each round): on a shared, noisy machine their ratio says what a check
costs beside ``/health`` even when the throughputs wobble.

The second baseline is a plain ``dict.get`` of the same ID numbers in this process, beside
``answer_batch`` (what the batch route runs, without HTTP) on an index built here from the same
file. The client (``http_load``) sends pre-built requests over keep-alive connections from its
own process(es), parsing nothing while timing.

    .venv/bin/python bench/screening/bench_http.py [--entries 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(1, str(Path(__file__).parents[1]))

from common import free_port  # noqa: E402
from http_load import exchange, get, post, run_round  # noqa: E402
from synth import Synthesizer, write_registry  # noqa: E402

RESULTS = ROOT / "bench/results/screening_http.json"
SECRET_KEY = "bench-secret-key-0123456789"
PURPOSE = "benchmark"


def partner_key(db_url: str) -> str:
    from keepword.accounts import AccountsContext
    from keepword.accounts.partners import create_partner
    from keepword.settings import Settings
    from keepword.store.database import make_engine, migrate

    engine = make_engine(db_url)
    migrate(engine)
    key = create_partner(AccountsContext.build(engine, Settings(database_url=db_url, secret_key=SECRET_KEY)),
                         "bench bank", "bank", actor="bench").key
    engine.dispose()
    return key


def start_server(db_url: str, registry: Path, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "KEEPWORD_SECRET_KEY": SECRET_KEY, "KEEPWORD_RATE_LIMIT_PARTNER_PER_MINUTE": "1000000000"}
    keepword = Path(sys.executable).with_name("keepword")
    return subprocess.Popen([str(keepword), "screen-server", "--db", db_url, "--registry", str(registry),
                             "--port", str(port)], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def wait_ready(server: subprocess.Popen, port: int, log: Path, timeout: float) -> float:
    started = time.monotonic()
    while True:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        if time.monotonic() - started > timeout:
            raise SystemExit("the server did not get ready in time")
        time.sleep(0.5)


def median_of(rounds: list, field: str) -> float:
    return statistics.median(getattr(r, field) for r in rounds)


def timed_median(passes: int, run) -> float:
    walls = []
    for _ in range(passes):
        started = time.perf_counter()
        run()
        walls.append(time.perf_counter() - started)
    return statistics.median(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20_000, help="requests per health or check round")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--processes", type=int, default=1, help="client processes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batches", type=int, default=6, help="10,000-record batches per batch round")
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--batch-connections", type=int, default=2)
    parser.add_argument("--no-in-process", action="store_true", help="skip the in-process answer_batch measure")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    load_before = os.getloadavg()

    work = Path(tempfile.mkdtemp(prefix="kw-bench-http-"))
    synthesizer = Synthesizer(2)
    registry = work / "REGISTRY.csv"
    started = time.perf_counter()
    identifiers = write_registry(registry, synthesizer.entries(args.entries))
    persons = [x for x in identifiers if x[0] != "9"]  # credit codes start with 9, ID numbers never
    print(f"registry: {args.entries:,} entries in {time.perf_counter() - started:.0f} s", flush=True)
    rng = random.Random(3)
    count = max(args.requests, args.batch_size)
    queries = rng.sample(persons, count // 2) + [synthesizer.id_number() for _ in range(count - count // 2)]
    rng.shuffle(queries)
    listed = set(persons)
    db_url = f"sqlite:///{work / 'replica.db'}"
    key = partner_key(db_url)
    headers = {"X-API-Key": key}

    port = free_port()
    log = work / "server.log"
    server = start_server(db_url, registry, port, log)
    try:
        ready_seconds = wait_ready(server, port, log, timeout=3600)
        server_rss = psutil.Process(server.pid).memory_info().rss
        print(f"server ready after {ready_seconds:.0f} s, {server_rss / 1e6:.0f} MB resident", flush=True)

        check_requests = [post("/api/v1/screening/check", json.dumps(
            {"purpose": PURPOSE, "record_id": str(i), "id_number": q}).encode(), headers)
            for i, q in enumerate(queries[:args.requests])]
        health_requests = [get("/health")] * args.requests
        batch_queries = queries[:args.batch_size]
        batch_body = json.dumps({"purpose": PURPOSE, "records": [
            {"record_id": str(i), "id_number": q} for i, q in enumerate(batch_queries)]}).encode()
        batch_requests = [post("/api/v1/screening/batch", batch_body, headers)] * args.batches

        # The answers are right before anything is timed.
        status, body = exchange(port, check_requests[0])
        assert status == 200 and json.loads(body)["decision"] == ("match" if queries[0] in listed else "no_match"), body
        status, body = exchange(port, batch_requests[0])
        counts = json.loads(body)["counts"]
        assert status == 200 and counts.get("match", 0) == sum(q in listed for q in batch_queries), counts

        run_round(port, health_requests[:2000], args.connections, args.processes)  # warm-up
        run_round(port, check_requests[:2000], args.connections, args.processes)
        health_rounds, check_rounds, batch_rounds = [], [], []
        serving = psutil.Process(server.pid)
        cpu_per_request: dict[str, list[float]] = {"health": [], "check": [], "batch": []}

        def measured(name: str, requests: list[bytes], connections: int, processes: int):
            before = serving.cpu_times()
            result = run_round(port, requests, connections, processes)
            after = serving.cpu_times()
            used = (after.user - before.user) + (after.system - before.system)
            cpu_per_request[name].append(used / result.requests * 1e6)
            return result

        for run in range(args.runs):
            order = [("health", health_requests, health_rounds), ("check", check_requests, check_rounds)]
            for name, requests, rounds in order if run % 2 == 0 else order[::-1]:
                rounds.append(measured(name, requests, args.connections, args.processes))
                print(f"run {run + 1} {name}: {rounds[-1].per_second:,.0f}/s, p99 {rounds[-1].p99_ms:.1f} ms, "
                      f"server CPU {cpu_per_request[name][-1]:.0f} us/request {rounds[-1].statuses}", flush=True)
            batch_rounds.append(measured("batch", batch_requests, args.batch_connections, 1))
            print(f"run {run + 1} batch: {batch_rounds[-1].per_second * args.batch_size:,.0f} records/s", flush=True)
        server_rss_after = psutil.Process(server.pid).memory_info().rss
    finally:
        server.terminate()
        server.wait(timeout=60)

    by_id = {number: position for position, number in enumerate(identifiers)}
    dict_seconds = timed_median(7, lambda: [by_id.get(q) for q in batch_queries])
    in_process = None
    if not args.no_in_process:
        from keepword.screening import ScreeningIndex
        from keepword.screening.partner_checks import answer_batch

        index = ScreeningIndex.from_csv(registry)
        records = [{"record_id": str(i), "id_number": q} for i, q in enumerate(batch_queries)]
        on = date.today()
        in_process = timed_median(5, lambda: answer_batch(index, records, on))
    shutil.rmtree(work, ignore_errors=True)

    bad = [r.statuses for r in health_rounds + check_rounds + batch_rounds if set(r.statuses) != {200}]
    health_rps, check_rps = median_of(health_rounds, "per_second"), median_of(check_rounds, "per_second")
    batch_records = median_of(batch_rounds, "per_second") * args.batch_size
    dict_per_second = len(batch_queries) / dict_seconds
    result = {
        "entries": args.entries,
        "server": {"ready_seconds": round(ready_seconds, 1), "rss_mb": round(server_rss / 1e6),
                   "rss_mb_after": round(server_rss_after / 1e6), "processes": 1,
                   "database": "sqlite (API key, audit log)"},
        "client": {"connections": args.connections, "processes": args.processes, "requests_per_round": args.requests,
                   "runs": args.runs, "keep_alive": True},
        "health": {"per_second": round(health_rps), "p50_ms": round(median_of(health_rounds, "p50_ms"), 2),
                   "p99_ms": round(median_of(health_rounds, "p99_ms"), 2)},
        "check": {"per_second": round(check_rps), "p50_ms": round(median_of(check_rounds, "p50_ms"), 2),
                  "p99_ms": round(median_of(check_rounds, "p99_ms"), 2), "listed_share": 0.5},
        "check_vs_health": round(check_rps / health_rps, 3),
        "server_cpu_us_per_request": {name: round(statistics.median(values))
                                      for name, values in cpu_per_request.items()},
        "check_vs_health_by_server_cpu": round(statistics.median(cpu_per_request["health"])
                                               / statistics.median(cpu_per_request["check"]), 3),
        "batch": {"records_per_request": args.batch_size, "records_per_second": round(batch_records),
                  "seconds_per_request_p50": round(median_of(batch_rounds, "p50_ms") / 1000, 3),
                  "connections": args.batch_connections},
        "dict_get_per_second": round(dict_per_second),
        "batch_http_vs_dict": round(batch_records / dict_per_second, 4),
        "answer_batch_in_process_per_second": round(len(batch_queries) / in_process) if in_process else None,
        "answer_batch_vs_dict": round(dict_seconds / in_process, 4) if in_process else None,
        "rounds": {name: [{"per_second": round(r.per_second), "p99_ms": round(r.p99_ms, 2)} for r in rounds]
                   for name, rounds in (("health", health_rounds), ("check", check_rounds), ("batch", batch_rounds))},
        "non_200_answers": bad,
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
