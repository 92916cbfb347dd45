"""Partner feed benchmark: commit-to-receipt latency at 200 events/s, and the most events/s the relay delivers.

Events are ListingCorrected events about the published listings of demo data (loaded through the
services), committed by writer processes keeping a steady schedule, in two ways:

- through the services' unit of work (outbox and audit chain in one transaction, one event a
  transaction), without loading the case: the commit path of every use case, cheap enough to hold
  the rate on a small machine;
- by calling the use case itself, ``services.listings.correct_listing`` (loads the case, checks the
  listing is in force, commits): the whole path; on a small machine the writers may not reach the
  offered rate, and what they reached is reported.

The relay runs as ``keepword worker`` with its default settings, in its own process. One
credit-bureau endpoint receives the webhooks on loopback: an asyncio HTTP/1.1 receiver in another
process that verifies every signature (``standardwebhooks``) and stamps each event's arrival.

- latency: ``--rate`` events/s offered for ``--seconds``; latency = receipt time - the writer's time
  when its commit returned (one clock: same machine);
- maximum events/s: ``--backlog`` events committed while the relay is stopped, then the relay is
  started and delivers them; the rate is events over the span from first to last receipt;
- baseline, same run: bare signed POSTs from one process, sent as the relay sends them (httpx.Client
  with keep-alive, as many at a time as the relay's default in-flight limit), to the same receiver,
  with no relay, outbox or database.

Each measure is run ``--runs`` times; the medians are reported, with the load average.

    .venv/bin/python bench/feed_bench.py [--backend postgresql|sqlite|both] [--rate 200] [--seconds 30]
                                         [--backlog 5000] [--runs 3] [--postgres URL]

Writes bench/results/feed.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from multiprocessing import get_context
from pathlib import Path

import httpx
from sqlalchemy import insert, select, text

RESULTS = Path(__file__).parent / "results" / "feed.json"
DEMO_CASES = 4000  # about 300 published listings, each corrected many times
WRITERS = 4  # writer processes: one service call costs several ms of CPU, more than one process gives at 200/s
BENCH_PARTNER = "bench-bureau"
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"


# ---- the receiver (its own process) -----------------------------------------------------------------

def serve_receiver(secret: str) -> None:
    """Listen on a free loopback port (printed on stdout); POST verifies and stamps, GET /take hands over
    the stamps (token -> first arrival) and forgets them, GET /count says how many are held."""
    from standardwebhooks import Webhook, WebhookVerificationError

    webhook = Webhook(secret)
    arrived: dict[str, float] = {}
    counts = {"requests": 0, "rejected": 0}

    def answer(status: str, payload: bytes = b"") -> bytes:
        return (f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {len(payload)}\r\n\r\n"
                .encode() + payload)

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                method, path = head[0].split(" ")[:2]
                headers = {}
                for line in head[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length") or 0))
                now = time.time()
                if method == "POST":
                    counts["requests"] += 1
                    try:
                        event = webhook.verify(body, headers)
                    except WebhookVerificationError:
                        counts["rejected"] += 1
                        writer.write(answer("401 Unauthorized"))
                        continue
                    token = (event.get("data") or {}).get("correction") or event["id"]
                    arrived.setdefault(token, now)
                    writer.write(answer("200 OK"))
                elif path == "/take":
                    payload = json.dumps(arrived).encode()
                    arrived.clear()
                    writer.write(answer("200 OK", payload))
                else:
                    writer.write(answer("200 OK", json.dumps({"held": len(arrived), **counts}).encode()))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(connection, "127.0.0.1", 0, backlog=1024)
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    asyncio.run(main())


class Receiver:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.process = subprocess.Popen([sys.executable, __file__, "--serve-receiver", secret],
                                        stdout=subprocess.PIPE, text=True)
        self.base = f"http://127.0.0.1:{int(self.process.stdout.readline())}"
        self.url = f"{self.base}/webhooks"
        self.http = httpx.Client(timeout=30)

    def counts(self) -> dict:
        return self.http.get(f"{self.base}/count").json()

    def take(self) -> dict[str, float]:
        return self.http.get(f"{self.base}/take").json()

    def collect(self, tokens, timeout: float) -> dict[str, float]:
        """Arrival times of ``tokens``, once all of them have arrived."""
        wanted, arrived = set(tokens), {}
        deadline = time.monotonic() + timeout
        while not wanted <= arrived.keys():
            if time.monotonic() > deadline:
                raise SystemExit(f"only {len(wanted & arrived.keys())} of {len(wanted)} events arrived "
                                 f"in {timeout:.0f} s")
            time.sleep(0.05)
            arrived.update(self.take())
        return arrived

    def stop(self) -> None:
        self.http.close()
        self.process.terminate()
        self.process.wait(timeout=10)


# ---- writers (their own processes) ------------------------------------------------------------------

def write_corrections(url: str, listings: list[tuple[str, str, str]], tokens: list[str], start: float,
                      rate: float | None, offset: int, stride: int, how: str) -> dict:
    """Commit one correction per token, token i at ``start + i / rate`` (as fast as possible without a
    rate; with one, nothing is begun after the schedule's end plus a grace second, so a writer that
    cannot keep up stops on time); returns token -> wall time when its commit returned, and CPU seconds.

    ``how``: "service" calls ``correct_listing`` (loads the case, checks the listing is in force, commits);
    "unit_of_work" commits the same ListingCorrected event through the services' unit of work (outbox and
    audit chain in one transaction) without loading the case.
    """
    from keepword.bootstrap import open_registry
    from keepword.domain.events import ListingCorrected
    from keepword.services.listings import correct_listing
    from keepword.settings import Settings

    engine, ctx = open_registry(url, settings=Settings(database_url=url), migrate_schema=False)
    committed: dict[str, float] = {}
    cpu = time.process_time()
    began = time.time()
    for i in range(offset, len(tokens), stride):
        if rate:
            pause = start + i / rate - time.time()
            if pause > 0:
                time.sleep(pause)
            elif time.time() > start + len(tokens) / rate + 1:
                break
        listing_id, case_id, debtor_id = listings[(i // stride) % len(listings)]
        if how == "service":
            correct_listing(ctx, listing_id, correction=tokens[i], by="clerk:bench")
        else:
            with ctx.uow() as uow:
                uow.record(ListingCorrected(occurred_at=ctx.clock.now(), case_id=case_id, debtor_id=debtor_id,
                                            actor="clerk:bench", listing_id=listing_id, correction=tokens[i]))
                uow.commit()
        committed[tokens[i]] = time.time()
    engine.dispose()
    return {"committed": committed, "cpu_seconds": time.process_time() - cpu, "began": began}


def commit_events(pool, url: str, listings: list, count: int, rate: float | None,
                  how: str) -> dict:
    """``count`` corrections from WRITERS processes, each on its own listings (no two writers touch one case)."""
    tokens = [f"bench {uuid.uuid4().hex}" for _ in range(count)]
    start = time.time() + 1.0  # the processes are already up: one second to get ready
    jobs = [pool.apply_async(write_corrections, (url, listings[k::WRITERS], tokens, start, rate, k, WRITERS, how))
            for k in range(WRITERS)]
    results = [job.get() for job in jobs]
    committed = {token: at for r in results for token, at in r["committed"].items()}
    began = start if rate else min(r["began"] for r in results)
    per_s = len(committed) / (max(committed.values()) - began)
    return {"committed": committed, "offered": count, "per_s": round(per_s, 1),
            "writer_cpu_seconds": sum(r["cpu_seconds"] for r in results)}


# ---- one backend ---------------------------------------------------------------------------------------

def say(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Relay:
    """``keepword worker`` in its own process, with the default relay settings."""

    def __init__(self, url: str, log: Path) -> None:
        self.url, self.log, self.process = url, log, None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KEEPWORD_RELAY_")}
        self.process = subprocess.Popen([sys.executable, "-c", "from keepword.cli import main; main()", "worker",
                                         "--db", self.url], env=env, stdout=subprocess.DEVNULL,
                                        stderr=open(self.log, "ab"))
        self.cpu_at_start = 0.0

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)
            self.process = None


def prepare(url: str, receiver: Receiver) -> list[tuple[str, str, str]]:
    """Migrate, load demo cases through the services, add the partner and its endpoint; the published listings."""
    from keepword.bootstrap import open_registry
    from keepword.demo.loading import load_demo
    from keepword.feeds.endpoints import add_endpoint
    from keepword.feeds.sequencer import sequence_pending
    from keepword.settings import Settings
    from keepword.store import tables as t

    engine, ctx = open_registry(url, settings=Settings(database_url=url))
    load_demo(ctx, engine, cases=DEMO_CASES, seed=7, as_of=date(2025, 6, 1))
    sequence_pending(engine)  # the endpoint starts at the head: the demo's own events are not sent
    with engine.begin() as conn:
        conn.execute(insert(t.partners).values(id=BENCH_PARTNER, name="bench bureau", type="credit_bureau",
                                               scopes=["feed:read"], active=True,
                                               created_at=datetime.now(timezone.utc)))
        listings = [tuple(row) for row in conn.execute(
            select(t.listings.c.id, t.listings.c.case_id, t.listings.c.debtor_id)
            .where(t.listings.c.state == "published").order_by(t.listings.c.id))]
    add_endpoint(engine, BENCH_PARTNER, receiver.url, secret=receiver.secret)
    engine.dispose()
    return listings


def latency_run(pool, url: str, listings: list, receiver: Receiver, relay: Relay, rate: int, seconds: float,
                how: str) -> dict:
    cpu_before = relay.cpu_seconds()
    load_before = os.getloadavg()[0]
    written = commit_events(pool, url, listings, int(rate * seconds), rate, how)
    committed = written["committed"]
    arrived = receiver.collect(committed, 120)
    relay_cpu = relay.cpu_seconds() - cpu_before
    latencies = [(arrived[token] - at) * 1000 for token, at in committed.items()]
    return {"offered_per_s": rate, "offered": written["offered"], "committed": len(committed),
            "committed_per_s": written["per_s"], "p50_ms": round(percentile(latencies, 0.50), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1), "max_ms": round(max(latencies), 1),
            "relay_cpu_ms_per_event": round(relay_cpu / len(committed) * 1000, 3),
            "writer_cpu_ms_per_event": round(written["writer_cpu_seconds"] / len(committed) * 1000, 2),
            "load_avg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


def drain_run(pool, url: str, listings: list, receiver: Receiver, relay: Relay, backlog: int) -> dict:
    relay.stop()
    load_before = os.getloadavg()[0]
    written = commit_events(pool, url, listings, backlog, None, "unit_of_work")
    started = time.time()
    relay.start()
    arrived = receiver.collect(written["committed"], 600)
    relay_cpu = relay.cpu_seconds()
    times = sorted(arrived[token] for token in written["committed"])
    return {"events": backlog, "events_per_s": round((backlog - 1) / (times[-1] - times[0]), 1),
            "seconds_from_relay_start": round(times[-1] - started, 2),
            "relay_cpu_ms_per_event_with_startup": round(relay_cpu / backlog * 1000, 3),
            "load_avg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


def _medians(runs: list[dict]) -> dict:
    return {"median_run": sorted(runs, key=lambda r: r["p50_ms"])[len(runs) // 2],
            "p50_ms_median": statistics.median(r["p50_ms"] for r in runs),
            "p99_ms_median": statistics.median(r["p99_ms"] for r in runs),
            "committed_per_s_median": statistics.median(r["committed_per_s"] for r in runs), "runs": runs}


def measure_backend(backend: str, admin_url: str, args, work: Path) -> dict:
    from keepword.store.database import make_engine, normalize_url

    if backend == "postgresql":
        name = f"keepword_bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(admin_url, pool=False)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = normalize_url(admin_url).rsplit("/", 1)[0] + f"/{name}"
    else:
        url = f"sqlite:///{work / 'feed_bench.db'}"
    receiver = Receiver(_secret())
    relay = Relay(url, work / f"relay-{backend}.log")
    try:
        say(f"{backend}: loading {DEMO_CASES} demo cases")
        listings = prepare(url, receiver)
        say(f"{backend}: {len(listings)} published listings; writers and relay starting")
        with writer_pool() as pool:
            relay.start()
            warm = commit_events(pool, url, listings, 100, None, "service")
            receiver.collect(warm["committed"], 120)
            latency, services, drains = [], [], []
            for _ in range(args.runs):
                latency.append(latency_run(pool, url, listings, receiver, relay, args.rate, args.seconds,
                                           "unit_of_work"))
                say(f"{backend}: unit of work at {args.rate}/s {json.dumps(latency[-1])}")
            for _ in range(args.runs):
                services.append(latency_run(pool, url, listings, receiver, relay, args.rate, args.seconds,
                                            "service"))
                say(f"{backend}: correct_listing at {args.rate}/s offered {json.dumps(services[-1])}")
            for _ in range(args.runs):
                drains.append(drain_run(pool, url, listings, receiver, relay, args.backlog))
                say(f"{backend}: backlog {json.dumps(drains[-1])}")
        counts = receiver.counts()
    finally:
        relay.stop()
        receiver.stop()
        if backend == "postgresql":
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return {
        "latency_at_rate": {**_medians(latency), "writers": "unit of work: outbox and audit chain, one event a "
                                                             "transaction"},
        "latency_through_service_calls": {**_medians(services), "writers": "services.listings.correct_listing, one "
                                                                           "call per event"},
        "max_events_per_s": {"median": statistics.median(r["events_per_s"] for r in drains), "runs": drains},
        "rejected_signatures": counts["rejected"],
    }


def _ready(started) -> None:
    """Initialiser of a writer process: import everything before the clock starts, then say so."""
    import keepword.bootstrap  # noqa: F401
    import keepword.services.listings  # noqa: F401

    with started.get_lock():
        started.value += 1


def writer_pool():
    """WRITERS processes, all started and ready (each run's WRITERS jobs then go to one process each)."""
    context = get_context("spawn")
    started = context.Value("i", 0)
    pool = context.Pool(WRITERS, initializer=_ready, initargs=(started,))
    deadline = time.monotonic() + 120
    while started.value < WRITERS:
        if time.monotonic() > deadline:
            raise SystemExit("the writer processes did not start")
        time.sleep(0.1)
    return pool


def _secret() -> str:
    from keepword.feeds.signing import new_secret
    return new_secret()


# ---- the baseline ----------------------------------------------------------------------------------------

def bare_posts(receiver: Receiver, count: int, in_flight: int) -> dict:
    """``count`` signed POSTs of event-sized bodies from one process, ``in_flight`` at a time, the way the
    relay sends them (one keep-alive ``httpx.Client``, a pool of ``in_flight`` threads)."""
    from keepword.feeds.signing import signed_headers

    latencies: list[float] = []
    client = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=in_flight,
                                                          max_keepalive_connections=in_flight))

    def post(_: int) -> None:
        event_id = str(uuid.uuid4())
        body = json.dumps({"specversion": "1.0", "id": event_id, "source": "keepword/330102",
                           "type": "org.keepword.ListingCorrected", "subject": event_id,
                           "time": datetime.now(timezone.utc).isoformat(), "datacontenttype": "application/json",
                           "position": 1, "partitionkey": event_id,
                           "data": {"listing_id": event_id, "action": "correct", "correction": f"bench {event_id}"}},
                          ensure_ascii=False, separators=(",", ":"))
        headers = signed_headers(receiver.secret, event_id, body)
        headers["content-type"] = CONTENT_TYPE
        began = time.perf_counter()
        client.post(receiver.url, content=body.encode(), headers=headers).raise_for_status()
        latencies.append((time.perf_counter() - began) * 1000)

    cpu = time.process_time()
    began = time.perf_counter()
    with ThreadPoolExecutor(in_flight) as pool:
        list(pool.map(post, range(count)))
    elapsed = time.perf_counter() - began
    client.close()
    receiver.take()
    return {"events_per_s": round(count / elapsed, 1), "post_p50_ms": round(percentile(latencies, 0.5), 2),
            "post_p99_ms": round(percentile(latencies, 0.99), 2),
            "cpu_ms_per_post": round((time.process_time() - cpu) / count * 1000, 3)}


def baseline(args) -> dict:
    from keepword.settings import Settings

    in_flight = Settings().relay_max_in_flight
    receiver = Receiver(_secret())
    try:
        runs = [bare_posts(receiver, args.backlog, in_flight) for _ in range(args.runs)]
        say(f"baseline: {json.dumps(runs)}")
    finally:
        receiver.stop()
    return {"events_per_s_median": statistics.median(r["events_per_s"] for r in runs), "runs": runs,
            "what": f"signed POSTs from one process, {in_flight} in flight (httpx.Client, keep-alive, a thread "
                    "pool, as the relay sends), to the same receiver: no relay, no outbox, no database"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("postgresql", "sqlite", "both"), default="both")
    parser.add_argument("--postgres", default=os.environ.get("KEEPWORD_TEST_POSTGRES_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--backlog", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--serve-receiver", metavar="SECRET", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_receiver:
        serve_receiver(args.serve_receiver)
        return

    load_at_start = os.getloadavg()
    backends = ("postgresql", "sqlite") if args.backend == "both" else (args.backend,)
    result: dict = {
        "benchmark": "partner feed: commit-to-receipt latency at a steady rate, and the most events/s the relay "
                     "delivers, beside bare signed POSTs to the same receiver",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load_avg_at_start": load_at_start},
        "setup": {"events": "ListingCorrected about one of ~300 published demo listings, one event a transaction",
                  "writers": f"{WRITERS} processes on a shared schedule", "relay": "keepword worker, default settings",
                  "receiver": "asyncio HTTP/1.1 in its own process, verifies every signature",
                  "rate_per_s": args.rate, "seconds": args.seconds, "backlog": args.backlog, "runs": args.runs},
    }
    with tempfile.TemporaryDirectory(prefix="feed-bench-") as work:
        result["baseline_bare_post"] = baseline(args)
        for backend in backends:
            result[backend] = measure_backend(backend, args.postgres, args, Path(work))
            result[backend]["relay_vs_baseline"] = round(
                result[backend]["max_events_per_s"]["median"] / result["baseline_bare_post"]["events_per_s_median"], 3)
    result["machine"]["load_avg_at_end"] = os.getloadavg()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
