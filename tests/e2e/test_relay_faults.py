"""Fault injection on PostgreSQL: 10,000 events (2,000 delistings) to three partners, one answering 500
for a while, one timing out, the relay SIGKILLed mid-batch and restarted. Every event reaches every
partner that receives it, a debtor's events arrive in feed order, and repeats are only redeliveries
of the same event id."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import datetime, timezone

import pytest
from sqlalchemy import insert, select, text

from keepword.feeds import synthetic
from keepword.feeds.endpoints import add_endpoint
from keepword.feeds.partner_sim import WebhookReceiver
from keepword.feeds.signing import new_secret
from keepword.feeds.views import RECEIVES
from keepword.store import tables as t
from keepword.store.database import make_engine

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DEBTORS = 2000  # five events each: 10,000 events, of which 2,000 are ListingDeleted
RELAY_ENV = {  # compressed timings: 0.5 s timeouts, retries from 50 ms, leases of 3 s
    "KEEPWORD_RELAY_POLL_SECONDS": "0.05", "KEEPWORD_RELAY_TIMEOUT_SECONDS": "0.5",
    "KEEPWORD_RELAY_BATCH_SIZE": "200", "KEEPWORD_RELAY_MAX_IN_FLIGHT": "16", "KEEPWORD_RELAY_LEASE_SECONDS": "3",
    "KEEPWORD_RELAY_BACKOFF_BASE_SECONDS": "0.05", "KEEPWORD_RELAY_BACKOFF_MAX_SECONDS": "0.5",
    "KEEPWORD_RELAY_RETRY_WINDOW_SECONDS": "600",
}


class FailingForAWhile(WebhookReceiver):
    """Answers 500 for the first ``seconds`` after its first request."""

    def __init__(self, secret: str, seconds: float) -> None:
        super().__init__(secret)
        self.seconds, self.first, self.faults = seconds, None, 0

    def fault(self) -> int | None:
        with self.lock:
            self.first = self.first or time.monotonic()
            if time.monotonic() - self.first < self.seconds:
                self.faults += 1
                return 500
        return None


class HangingForAWhile(FailingForAWhile):
    """Hangs past the relay's timeout for a while, then answers 503 (as a stuck gateway would)."""

    def fault(self) -> int | None:
        if super().fault() is None:
            return None
        time.sleep(1.5)
        return 503


def _fresh(url: str):
    engine = make_engine(url)
    names = ", ".join(f'"{tb.name}"' for tb in reversed(t.metadata.sorted_tables))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(insert(t.feed_sequence).values(id=1, last_position=0, purged_through=0))
    return engine


def _start_relay(url: str, log_path) -> subprocess.Popen:
    env = {**os.environ, **RELAY_ENV}
    return subprocess.Popen([sys.executable, "-c", "from keepword.cli import main; main()", "worker", "--db", url],
                            env=env, stdout=subprocess.DEVNULL, stderr=open(log_path, "ab"))


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_every_event_reaches_every_partner_in_order_despite_faults(postgres_url, tmp_path):
    engine = _fresh(postgres_url)
    now = datetime.now(timezone.utc)
    receivers = {"credit_bureau": FailingForAWhile(new_secret(), 4.0),
                 "transport": HangingForAWhile(new_secret(), 4.0),
                 "hotel": WebhookReceiver(new_secret())}
    with engine.begin() as conn:
        for kind in receivers:
            conn.execute(insert(t.partners).values(id=kind, name=kind, type=kind, scopes=["feed:read"], active=True,
                                                   created_at=now))
    for kind, receiver in receivers.items():
        receiver.start()
        add_endpoint(engine, kind, receiver.url, secret=receiver.secret)

    debtors = synthetic.seed_debtors(engine, DEBTORS)
    events = synthetic.interleaved_stories(debtors, now, seed=4)
    log_path = tmp_path / "relay.log"
    relay = _start_relay(postgres_url, log_path)
    written: list[dict] = []
    try:
        def write_events() -> None:  # 20 commits of 500 while the relay runs
            for i in range(0, len(events), 500):
                written.extend(synthetic.insert_events(engine, events[i:i + 500]))
                time.sleep(0.05)

        writer = threading.Thread(target=write_events)
        writer.start()
        healthy = receivers["hotel"]
        _wait(lambda: len(healthy.applied) >= 1500, 120, "the healthy partner to get 1,500 events")
        relay.send_signal(signal.SIGKILL)  # mid-batch: deliveries are leased and in flight
        relay.wait()
        applied_at_kill = len(healthy.applied)
        with engine.connect() as conn:
            leased_at_kill = conn.scalar(select(text("count(*)")).select_from(t.feed_deliveries).where(
                t.feed_deliveries.c.lease_owner.is_not(None), t.feed_deliveries.c.status == "pending"))
        writer.join()
        relay = _start_relay(postgres_url, log_path)

        expected = {kind: {r["event_id"] for r in written if r["type"] in RECEIVES[kind]} for kind in receivers}
        assert len(written) == 5 * DEBTORS and sum(r["type"] == "ListingDeleted" for r in written) == DEBTORS
        _wait(lambda: all(expected[k] <= receivers[k].applied.keys() for k in receivers), 150,
              "every partner to get every event it receives")
    finally:
        relay.send_signal(signal.SIGKILL)
        relay.wait()
        for receiver in receivers.values():
            receiver.stop()

    assert applied_at_kill < len(expected["hotel"]), "the relay was killed before it had finished"
    assert leased_at_kill > 0, "the relay was killed mid-batch, with deliveries claimed and in flight"
    assert receivers["credit_bureau"].faults > 0 and receivers["transport"].faults > 0
    position = {r.event_id: r.position for r in engine.connect().execute(select(t.outbox.c.event_id, t.outbox.c.position))}
    for kind, receiver in receivers.items():
        assert receiver.applied.keys() == expected[kind], f"{kind}: lost or foreign events"
        assert receiver.rejected == 0, f"{kind}: a request failed signature verification"
        first_seen: dict[str, list[int]] = defaultdict(list)
        for receipt in receiver.receipts:
            if receipt.repeat:
                continue  # a redelivery of an event id already applied: allowed (at-least-once)
            first_seen[receipt.key].append(position[receipt.event_id])
        for key, positions in first_seen.items():
            assert positions == sorted(positions), f"{kind}: events about {key} overtook each other"
        repeats = [r for r in receiver.receipts if r.repeat]
        assert {r.event_id for r in repeats} <= receiver.applied.keys()
    with engine.connect() as conn:
        states = dict(conn.execute(select(t.feed_deliveries.c.status, text("count(*)"))
                                   .group_by(t.feed_deliveries.c.status)).all())
        disabled = conn.scalar(select(text("count(*)")).select_from(t.feed_endpoints).where(~t.feed_endpoints.c.active))
    assert states == {"delivered": 6000 + 4000 + 4000}
    assert disabled == 0
    engine.dispose()
