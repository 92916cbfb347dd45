"""Feed-to-replica lag: how long after a delisting commits it is gone from a live screening index.

Per backend (SQLite, PostgreSQL), debtors are listed through the services, an index is built from
the database and a :class:`FeedFollower` follows the feed into it. A writer then pays debtors in
full through the services (``record_payment``: the listing is deleted, the restriction lifted) at a
steady rate. For each delisting we record when the service call returned (the commit is done) and:

* ``follower``: when the follower applied the party's ``EntryDelisted`` to the live index, i.e. when
  a check stops matching;
* ``baseline`` (the floor, measured in the same run on the same commits): when a plain reader, waiting
  the same way (the same poll interval; LISTEN/NOTIFY on PostgreSQL), running the sequencer and
  reading the same way (on SQLite without the write lock), first selected the ``ListingDeleted``
  outbox row. It reads the feed and does nothing else.

Each run reports p50/p99/max in milliseconds; the summary is the median over runs.

    .venv/bin/python bench/screening/bench_lag.py [--postgres URL] [--rate 10] [--seconds 10] [--runs 3]

Writes bench/results/screening_lag.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select, text

from keepword.bootstrap import build_context
from keepword.domain.courts import Court
from keepword.domain.identifiers import china_today, make_credit_code, make_id_number
from keepword.feeds.sequencer import head_position, sequence_pending
from keepword.screening.follower import CommitWaiter, FeedFollower
from keepword.screening.holder import IndexHolder
from keepword.screening.registry_entries import EntryDelisted
from keepword.screening.registry_source import build_index_from_db, read_only_engine
from keepword.services.cases import PartyInput, record_payment, register_judgment
from keepword.services.listings import decide_listing, propose_listing, serve_decision
from keepword.store import tables as t
from keepword.store.database import make_engine, migrate, normalize_url

RESULTS = Path(__file__).resolve().parents[1] / "results" / "screening_lag.json"
COURT = "330102"
CLERK = "officer:bench"


class TimedHolder(IndexHolder):
    """Notes when each entry was first delisted in the live index."""

    def __init__(self, index) -> None:
        super().__init__(index)
        self.delisted_at: dict[str, float] = {}

    def apply(self, event) -> bool:
        changed = super().apply(event)
        if isinstance(event, EntryDelisted):
            self.delisted_at.setdefault(event.entry_id, time.monotonic())
        return changed


class OutboxReader:
    """The floor: sequences and selects new outbox rows, waiting as the follower does, and nothing more."""

    def __init__(self, engine, position: int, poll_seconds: float) -> None:
        self.engine, self.position, self.poll_seconds = engine, position, poll_seconds
        self.reader = read_only_engine(engine)  # reads as the follower does (on SQLite: no write lock)
        self.seen_at: dict[str, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        waiter = CommitWaiter(self.engine)
        o = t.outbox.c
        try:
            while not self.stop.is_set():
                sequence_pending(self.engine, wait=False)
                with self.reader.connect() as conn:
                    rows = conn.execute(select(o.position, o.type, o.debtor_id).where(o.position > self.position)
                                        .order_by(o.position).limit(1000)).all()
                now = time.monotonic()
                for row in rows:
                    if row.type == "ListingDeleted":
                        self.seen_at.setdefault(row.debtor_id, now)
                if rows:
                    self.position = rows[-1].position
                    continue
                waiter.wait(self.poll_seconds, self.stop)
        finally:
            waiter.close()
            if self.reader is not self.engine:
                self.reader.dispose()


def fresh_postgres(admin_url: str) -> str:
    name = f"keepword_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url, pool=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return normalize_url(admin_url).rsplit("/", 1)[0] + f"/{name}"


def drop_postgres(admin_url: str, url: str) -> None:
    admin = make_engine(admin_url, pool=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def list_debtors(ctx, count: int, start: int) -> list[tuple[str, str]]:
    """``count`` persons listed (published and restricted) through the services: (party id, case id)."""
    today = china_today()
    bank = PartyInput(kind="organization", name="某银行股份有限公司", identifier=make_credit_code("9", "1", COURT, "00000001"))
    listed = []
    for i in range(start, start + count):
        number = make_id_number("330102", date(1970, 1, 1) + timedelta(days=i // 1000), i % 1000)
        case = register_judgment(ctx, court_id=COURT, case_number=f"（2024）浙0102执{i + 1}号", creditors=[bank],
                                 debtors=[PartyInput(kind="person", name="张三", identifier=number)], amount="1000.00",
                                 judgment_date=today - timedelta(days=90), effective_date=today - timedelta(days=60),
                                 filed_on=today - timedelta(days=30), by=CLERK)
        debtor = case.debtors[0].party.id
        case = propose_listing(ctx, case.id, debtor_id=debtor, grounds=[3], by=CLERK)
        listing = case.listings[-1].id
        decide_listing(ctx, listing, signed_by="president:bench", signer_role="court_president",
                       reason="refuses to perform")
        serve_decision(ctx, listing, served_on=today, by=CLERK)
        listed.append((debtor, case.id))
    return listed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(lags: list[float]) -> dict:
    return {"n": len(lags), "p50_ms": round(percentile(lags, 0.5) * 1000, 1),
            "p99_ms": round(percentile(lags, 0.99) * 1000, 1), "max_ms": round(max(lags) * 1000, 1)}


def one_run(engine, ctx, debtors: list[tuple[str, str]], rate: float, poll_seconds: float) -> dict:
    index, position = build_index_from_db(engine)
    holder = TimedHolder(index)
    follower = FeedFollower(engine, holder, position=position, poll_seconds=poll_seconds)
    reader = OutboxReader(engine, position, poll_seconds)
    follower.start()
    reader.thread.start()
    committed: dict[str, float] = {}
    started = time.monotonic()
    for i, (party_id, case_id) in enumerate(debtors):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        record_payment(ctx, case_id, amount="1000.00", paid_on=china_today(), by=CLERK)
        committed[party_id] = time.monotonic()
    write_seconds = time.monotonic() - started
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (committed.keys() <= holder.delisted_at.keys()
                                                 and committed.keys() <= reader.seen_at.keys()):
        time.sleep(0.05)
    follower.stop()
    reader.stop.set()
    reader.thread.join(10)
    missing = len(committed.keys() - holder.delisted_at.keys())
    if missing:
        raise SystemExit(f"{missing} delistings never reached the index")
    return {
        "delistings": len(committed), "achieved_rate_per_s": round(len(committed) / write_seconds, 1),
        "follower": summary([holder.delisted_at[p] - committed[p] for p in committed]),
        "baseline": summary([reader.seen_at[p] - committed[p] for p in committed]),
    }


def bench_backend(name: str, url: str, args) -> dict:
    engine = make_engine(url)
    migrate(engine)
    ctx = build_context(engine)
    with ctx.uow() as uow:
        uow.courts.add(Court(id=COURT, name="杭州市上城区人民法院", province="浙江", level="basic"))
        uow.commit()
    per_run = int(args.rate * args.seconds)
    setup_started = time.monotonic()
    debtors = list_debtors(ctx, per_run * args.runs, 0)
    print(f"{name}: listed {len(debtors)} debtors through the services in {time.monotonic() - setup_started:.1f} s")
    runs = []
    for r in range(args.runs):
        result = one_run(engine, ctx, debtors[r * per_run:(r + 1) * per_run], args.rate, args.poll)
        print(f"{name} run {r + 1}: follower {result['follower']}, baseline {result['baseline']}")
        runs.append(result)
    with engine.connect() as conn:
        head = head_position(conn)
    engine.dispose()
    medians = {who: {key: statistics.median(run[who][key] for run in runs) for key in ("p50_ms", "p99_ms", "max_ms")}
               for who in ("follower", "baseline")}
    return {"feed_head": head, "runs": runs, "median_of_runs": medians,
            "follower_minus_baseline_p50_ms": round(medians["follower"]["p50_ms"] - medians["baseline"]["p50_ms"], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("KEEPWORD_TEST_POSTGRES_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--rate", type=float, default=10.0, help="delistings committed per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of one run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--poll", type=float, default=0.2, help="poll interval of the follower and the baseline")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()

    load_before = os.getloadavg()
    backends = {}
    with tempfile.TemporaryDirectory() as folder:
        backends["sqlite"] = bench_backend("sqlite", f"sqlite:///{folder}/bench.db", args)
    if not args.skip_postgres:
        url = fresh_postgres(args.postgres)
        try:
            backends["postgresql"] = bench_backend("postgresql", url, args)
        finally:
            drop_postgres(args.postgres, url)
    result = {
        "benchmark": "screening feed-to-replica lag: service commit of a delisting -> gone from the live index",
        "baseline": "a plain reader selecting new outbox rows, waiting and sequencing as the follower does",
        "rate_per_s": args.rate, "seconds_per_run": args.seconds, "runs": args.runs, "poll_seconds": args.poll,
        "wakeup": {"sqlite": "poll", "postgresql": "LISTEN/NOTIFY (outbox trigger and sequencer), poll as fallback"},
        "backends": backends,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
