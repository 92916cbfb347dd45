"""Partner feed benchmark: commit-to-receipt latency at 200 events/s, and the most events/s delivered.

The relay runs as `keepword worker` (its own process) against PostgreSQL; one credit-bureau partner
receives signed webhooks on loopback. The same-run baseline is a bare loop of signed HTTP POSTs to the
same receiver with the same concurrency, without the relay, the outbox or the database.

    .venv/bin/python bench/feed_bench.py [--postgres URL] [--rate 200] [--seconds 10] [--burst 3000] [--runs 3]

Writes bench/results/feed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import httpx
from sqlalchemy import insert, text

from keepword.feeds import synthetic
from keepword.feeds.endpoints import add_endpoint
from keepword.feeds.partner_sim import WebhookReceiver
from keepword.feeds.signing import new_secret, signed_headers
from keepword.store import tables as t
from keepword.store.database import make_engine, migrate, normalize_url

RESULTS = Path(__file__).parent / "results" / "feed.json"
IN_FLIGHT = 16


class TimingReceiver(WebhookReceiver):
    """Records when each event id first arrived (wall clock, same machine as the writer)."""

    def __init__(self, secret: str) -> None:
        super().__init__(secret)
        self.arrived: dict[str, float] = {}

    def apply(self, event: dict) -> None:
        self.arrived[event["id"]] = time.time()


def fresh_database(admin_url: str) -> str:
    name = f"keepword_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url, pool=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return normalize_url(admin_url).rsplit("/", 1)[0] + f"/{name}"


def drop_database(admin_url: str, url: str) -> None:
    admin = make_engine(admin_url, pool=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def wait_all(receiver: TimingReceiver, ids: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not all(i in receiver.arrived for i in ids):
        if time.monotonic() > deadline:
            raise SystemExit(f"only {sum(i in receiver.arrived for i in ids)} of {len(ids)} arrived")
        time.sleep(0.01)


def listed_events(debtors, n: int) -> list:
    now = datetime.now(timezone.utc)
    return [synthetic.story(debtors[i % len(debtors)], now)[0] for i in range(n)]


def latency_at_rate(engine, receiver, debtors, rate: int, seconds: float, writers: int = 16) -> dict:
    """One event per transaction, ``rate`` per second in all from ``writers`` threads (a commit takes a
    few ms, more on a busy machine); latency = receipt time - commit time."""
    committed: dict[str, float] = {}
    events = listed_events(debtors, int(rate * seconds))
    start = time.time() + 0.2

    def write(k: int) -> None:
        for i in range(k, len(events), writers):
            pause = start + i / rate - time.time()
            if pause > 0:
                time.sleep(pause)
            (row,) = synthetic.insert_events(engine, [events[i]])
            committed[row["event_id"]] = time.time()

    threads = [threading.Thread(target=write, args=(k,)) for k in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    achieved = len(events) / (max(committed.values()) - start)
    wait_all(receiver, list(committed), 120)
    latencies = [(receiver.arrived[i] - c) * 1000 for i, c in committed.items()]
    return {"events": len(events), "offered_per_s": rate, "achieved_per_s": round(achieved, 1),
            "p50_ms": round(percentile(latencies, 0.50), 1), "p99_ms": round(percentile(latencies, 0.99), 1),
            "max_ms": round(max(latencies), 1)}


def relay_throughput(engine, receiver, debtors, burst: int) -> float:
    """Events/s from a burst committed at once to the last receipt."""
    events = listed_events(debtors, burst)
    start = time.time()
    rows = []
    for i in range(0, burst, 500):
        rows.extend(synthetic.insert_events(engine, events[i:i + 500]))
    ids = [r["event_id"] for r in rows]
    wait_all(receiver, ids, 300)
    return burst / (max(receiver.arrived[i] for i in ids) - start)


def bare_post_baseline(receiver, n: int) -> tuple[float, dict]:
    """The same receiver, signed POSTs from IN_FLIGHT threads: no relay, no outbox, no database."""
    client = httpx.Client(limits=httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT))
    latencies: list[float] = []

    def post(_):
        event_id = str(uuid.uuid4())
        body = json.dumps({"specversion": "1.0", "id": event_id, "type": "org.keepword.DebtorListed",
                           "data": {"listing_id": event_id}})
        began = time.time()
        client.post(receiver.url, content=body.encode(), headers=signed_headers(receiver.secret, event_id, body))
        latencies.append((time.time() - began) * 1000)

    start = time.time()
    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        list(pool.map(post, range(n)))
    rate = n / (time.time() - start)
    client.close()
    return rate, {"p50_ms": round(percentile(latencies, 0.5), 2), "p99_ms": round(percentile(latencies, 0.99), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("KEEPWORD_TEST_POSTGRES_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--low-rate", type=int, default=20, help="also measure latency well below saturation")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--burst", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    load_at_start = os.getloadavg()
    url = fresh_database(args.postgres)
    engine = make_engine(url)
    migrate(engine)
    receiver = TimingReceiver(new_secret()).start()
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        conn.execute(insert(t.partners).values(id="bench", name="bench bureau", type="credit_bureau",
                                               scopes=["feed:read"], active=True, created_at=now))
    add_endpoint(engine, "bench", receiver.url, secret=receiver.secret)
    debtors = synthetic.seed_debtors(engine, 500)
    env = {**os.environ, "KEEPWORD_RELAY_MAX_IN_FLIGHT": str(IN_FLIGHT), "KEEPWORD_RELAY_BATCH_SIZE": "500"}
    relay = subprocess.Popen([sys.executable, "-c", "from keepword.cli import main; main()", "worker", "--db", url],
                             env=env, stderr=subprocess.DEVNULL)
    try:
        warm = synthetic.insert_events(engine, listed_events(debtors, 50))
        wait_all(receiver, [r["event_id"] for r in warm], 120)
        low = [latency_at_rate(engine, receiver, debtors, args.low_rate, args.seconds) for _ in range(args.runs)]
        latency = [latency_at_rate(engine, receiver, debtors, args.rate, args.seconds) for _ in range(args.runs)]
        relay_rates = [relay_throughput(engine, receiver, debtors, args.burst) for _ in range(args.runs)]
        baselines = [bare_post_baseline(receiver, args.burst) for _ in range(args.runs)]
    finally:
        relay.terminate()
        relay.wait(timeout=30)
        receiver.stop()
        engine.dispose()
        drop_database(args.postgres, url)

    best = sorted(latency, key=lambda r: r["p50_ms"])[len(latency) // 2]
    best_low = sorted(low, key=lambda r: r["p50_ms"])[len(low) // 2]
    baseline_rate = statistics.median(b[0] for b in baselines)
    result = {
        "benchmark": "partner feed: commit-to-receipt latency and relay throughput (PostgreSQL, loopback webhooks)",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load_avg_at_start": load_at_start,
                    "load_avg_at_end": os.getloadavg()},
        "latency_at_rate": {"median_run": best, "runs": latency,
                            "note": "one event per transaction from 16 writer threads; when the relay cannot keep "
                                    "up with the offered rate, latency is queueing (compare max_events_per_s)"},
        "latency_below_saturation": {"median_run": best_low, "runs": low},
        "max_events_per_s": {"relay_median": round(statistics.median(relay_rates), 1),
                             "relay_runs": [round(r, 1) for r in relay_rates], "burst": args.burst},
        "baseline_bare_post": {"events_per_s_median": round(baseline_rate, 1),
                               "runs": [round(b[0], 1) for b in baselines], "post_latency": baselines[0][1],
                               "what": f"signed POSTs from {IN_FLIGHT} threads to the same receiver, no relay"},
        "relay_vs_baseline": round(statistics.median(relay_rates) / baseline_rate, 3),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
