"""The relay in-process on both backends: signed delivery, redelivery with the same id, per-debtor order
while another debtor's events go ahead, and an endpoint disabled (and said so) after persistent failure."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone

from feed_support import add_partner
from keepword.feeds import synthetic
from keepword.feeds.acks import lag
from keepword.feeds.endpoints import add_endpoint, enable_endpoint, list_endpoints
from keepword.feeds.partner_sim import CreditBureauSim, WebhookReceiver
from keepword.feeds.relay import Relay
from keepword.feeds.signing import new_secret
from keepword.settings import Settings

FAST = dict(relay_poll_seconds=0.05, relay_timeout_seconds=2, relay_lease_seconds=5, relay_backoff_base_seconds=0.02,
            relay_backoff_max_seconds=0.1, relay_retry_window_seconds=600)


class Refusing(WebhookReceiver):
    """Answers 500 to any event whose subject is in ``refused`` (and counts every attempt by webhook-id)."""

    def __init__(self, secret: str, refused=()) -> None:
        super().__init__(secret)
        self.refused = set(refused)
        self.attempts: dict[str, int] = {}

    def receive(self, body: bytes, headers: dict[str, str]) -> int:
        import json

        with self.lock:
            self.attempts[headers["webhook-id"]] = self.attempts.get(headers["webhook-id"], 0) + 1
        if json.loads(body).get("subject") in self.refused:
            return 500
        return super().receive(body, headers)


@contextmanager
def running(engine, **settings):
    relay = Relay(engine, Settings(**{**FAST, **settings}))
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield relay
    finally:
        stop.set()
        thread.join(timeout=15)


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _debtors(engine, n=2):
    debtors = synthetic.seed_debtors(engine, n)
    now = datetime.now(timezone.utc)
    return debtors, [synthetic.story(d, now) for d in debtors]


def test_a_credit_bureau_receives_signed_events_and_scores_follow_them(engine):
    partner = add_partner(engine, "credit_bureau")
    sim = CreditBureauSim(new_secret()).start()
    add_endpoint(engine, partner, sim.url, secret=sim.secret)
    (debtor,), (story,) = _debtors(engine, 1)
    with running(engine):
        synthetic.insert_events(engine, story[:1])
        wait_for(lambda: sim.score(debtor.listing_id) < 700)
        later = synthetic.insert_events(engine, story[1:])
        wait_for(lambda: len(sim.applied) == 3)
    sim.stop()
    assert sim.score(debtor.listing_id) == 700, "points restored on the delisting"
    assert [r.type for r in sim.receipts] == ["DebtorListed", "ListingTermExtended", "ListingDeleted"]
    deleted = next(r["event_id"] for r in later if r["type"] == "ListingDeleted")
    assert sim.rejected == 0 and sim.to_ack == [deleted], "the delisting waits to be acknowledged"


def test_a_debtors_later_event_waits_for_the_earlier_one_while_other_debtors_go_ahead(engine):
    partner = add_partner(engine, "credit_bureau")
    (blocked, free), stories = _debtors(engine)
    receiver = Refusing(new_secret(), refused={blocked.listing_id}).start()
    add_endpoint(engine, partner, receiver.url, secret=receiver.secret)
    events = synthetic.insert_events(engine, [e for story in stories for e in story])
    with running(engine):
        wait_for(lambda: len(receiver.applied) == 3)  # the free debtor's three bureau events
        time.sleep(0.5)
        stuck = [e["event_id"] for e in events if e["debtor_id"] == blocked.party_id and e["type"] == "DebtorListed"]
        assert receiver.attempts[stuck[0]] >= 2, "retried, with the same webhook-id"
        assert not any(e["debtor_id"] == blocked.party_id for e in events if e["event_id"] in receiver.applied)
        receiver.refused.clear()
        wait_for(lambda: len(receiver.applied) == 6)
    receiver.stop()
    order = [r.event_id for r in receiver.receipts if r.key == blocked.party_id]
    expected = [e["event_id"] for e in events if e["debtor_id"] == blocked.party_id
                and e["type"] in ("DebtorListed", "ListingTermExtended", "ListingDeleted")]
    assert order == expected


def test_an_endpoint_failing_past_the_retry_window_is_disabled_and_says_why(engine, caplog):
    partner = add_partner(engine, "credit_bureau")
    (debtor,), (story,) = _debtors(engine, 1)
    receiver = Refusing(new_secret(), refused={debtor.listing_id}).start()
    endpoint = add_endpoint(engine, partner, receiver.url, secret=receiver.secret)
    synthetic.insert_events(engine, story)

    def disabled():
        with engine.connect() as conn:
            return not list_endpoints(conn)[0]["active"]

    with caplog.at_level("WARNING"), running(engine, relay_retry_window_seconds=0.5):
        wait_for(disabled)
    with engine.connect() as conn:
        (state,) = list_endpoints(conn)
    assert "failed for" in state["disabled_reason"] and "HTTP 500" in state["disabled_reason"]
    assert any("DISABLED" in r.getMessage() and endpoint.id in r.getMessage() for r in caplog.records)
    (row,) = lag(engine, datetime.now(timezone.utc), partner)
    assert row["lag_positions"] > 0 and row["endpoints"][0]["active"] is False
    receiver.refused.clear()
    enable_endpoint(engine, endpoint.id)
    with running(engine):
        wait_for(lambda: len(receiver.applied) == 3)
    receiver.stop()
    assert lag(engine, datetime.now(timezone.utc), partner)[0]["lag_positions"] == 0


def test_a_commit_wakes_the_relay_and_a_debtors_next_event_follows_without_waiting_for_the_poll(engine):
    """The idle poll is a minute here: events still arrive, because a commit wakes the relay (NOTIFY on
    PostgreSQL, a look at the newest outbox row on SQLite), and a debtor's next event is claimed as soon
    as the earlier one is recorded."""
    partner = add_partner(engine, "credit_bureau")
    sim = CreditBureauSim(new_secret()).start()
    add_endpoint(engine, partner, sim.url, secret=sim.secret)
    (debtor,), (story,) = _debtors(engine, 1)
    with running(engine, relay_poll_seconds=60):
        synthetic.insert_events(engine, story[:1])
        wait_for(lambda: len(sim.applied) == 1, timeout=20)
        time.sleep(0.3)  # the relay is idle now, waiting for the next commit
        synthetic.insert_events(engine, story[1:])
        wait_for(lambda: len(sim.applied) == 3, timeout=20)
    sim.stop()
    assert [r.type for r in sim.receipts] == ["DebtorListed", "ListingTermExtended", "ListingDeleted"]
    assert sim.score(debtor.listing_id) == 700
