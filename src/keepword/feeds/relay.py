"""The relay (`keepword worker`): sequences the outbox and delivers signed webhooks to partners.

One main loop sequences new outbox rows and fans new positions out into deliveries; one lane per
endpoint claims due deliveries (at most one per debtor at a time), posts them concurrently, and
records the outcomes. A slow or failing partner only slows its own lane.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import httpx
from sqlalchemy import Engine, select

from keepword.feeds.backoff import RetrySchedule
from keepword.feeds.deliveries import Outcome, claim, fan_out, record
from keepword.feeds.envelope import cloud_event
from keepword.feeds.refs import load_refs
from keepword.feeds.sequencer import sequence_pending
from keepword.feeds.signing import signed_headers
from keepword.feeds.views import view
from keepword.store import tables as t

log = logging.getLogger("keepword.feeds.relay")
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
LOOPS_PER_LANE = 2


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Lane:
    """Delivers one endpoint's due deliveries until told to stop."""

    def __init__(self, relay: Relay, endpoint_id: str) -> None:
        self.relay = relay
        self.endpoint_id = endpoint_id
        self.wake = threading.Event()
        self.stopped = threading.Event()
        # Two claim-send-record loops overlap one batch's database work with the other's requests. They
        # cannot reorder a debtor's events: a claim takes only the oldest pending event of each debtor,
        # and one leased by the other loop is still pending.
        self.threads = [threading.Thread(target=self.run, name=f"lane-{endpoint_id}-{i}", daemon=True)
                        for i in range(LOOPS_PER_LANE)]
        settings = relay.settings
        self.client = httpx.Client(timeout=settings.relay_timeout_seconds, follow_redirects=False,
                                   limits=httpx.Limits(max_connections=settings.relay_max_in_flight,
                                                       max_keepalive_connections=settings.relay_max_in_flight))
        self.pool = ThreadPoolExecutor(max_workers=settings.relay_max_in_flight, thread_name_prefix=f"send-{endpoint_id}")

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                sent = self.deliver_batch()
            except Exception:  # a database hiccup must not kill the lane: log it and try again shortly
                log.exception("lane %s: delivery round failed", self.endpoint_id)
                sent = 0
            if not sent:
                self.wake.wait(self.relay.settings.relay_poll_seconds)
                self.wake.clear()

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.wake.set()

    def join(self, timeout: float) -> None:
        for thread in self.threads:
            thread.join(timeout=timeout)
        self.pool.shutdown(wait=False)
        self.client.close()

    def deliver_batch(self) -> int:
        """Claim, post and record one batch; returns how many deliveries were attempted."""
        relay, settings = self.relay, self.relay.settings
        claimed = claim(relay.engine, self.endpoint_id, relay.worker_id, _now(), settings.relay_lease_seconds,
                        settings.relay_batch_size)
        if not claimed:
            return 0
        endpoint = relay.endpoint(self.endpoint_id)
        if endpoint is None:
            return 0
        with relay.engine.connect() as conn:
            refs = load_refs(conn, claimed)
        jobs = []
        for row in claimed:
            data = view(endpoint.type, row, refs)
            if data is None:  # no longer concerns the partner (the party was purged, say): nothing to send
                jobs.append(None)
                continue
            body = json.dumps(cloud_event(row, data, refs), ensure_ascii=False, separators=(",", ":"))
            jobs.append(self.pool.submit(self.post, endpoint, row, body))
        outcomes = [Outcome(row.delivery_id, ok=True, skipped=True) if job is None else job.result()
                    for row, job in zip(claimed, jobs)]
        disabled = record(relay.engine, self.endpoint_id, relay.worker_id, outcomes, _now(), relay.schedule)
        if disabled:
            log.error("endpoint %s (partner %s, %s) DISABLED after persistent failure: %s", self.endpoint_id,
                      endpoint.partner_id, endpoint.url, disabled)
        return len(claimed)

    def post(self, endpoint, row, body: str) -> Outcome:
        headers = signed_headers(endpoint.secret, row.event_id, body)
        headers["content-type"] = CONTENT_TYPE
        try:
            response = self.client.post(endpoint.url, content=body.encode(), headers=headers)
        except httpx.TimeoutException:
            return Outcome(row.delivery_id, ok=False, error="timed out")
        except httpx.HTTPError as exc:
            return Outcome(row.delivery_id, ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
        if 200 <= response.status_code < 300:
            return Outcome(row.delivery_id, ok=True, status=response.status_code)
        return Outcome(row.delivery_id, ok=False, status=response.status_code, error=f"HTTP {response.status_code}")


class Relay:
    """The worker: ``run(stop)`` until ``stop`` is set; ``step()`` for one sequencing and fan-out pass."""

    def __init__(self, engine: Engine, settings, *, worker_id: str | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self.schedule = RetrySchedule.from_settings(settings)
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lanes: dict[str, Lane] = {}
        self._endpoints: dict[str, object] = {}
        self._lock = threading.Lock()

    def endpoint(self, endpoint_id: str):
        with self._lock:
            return self._endpoints.get(endpoint_id)

    def refresh_endpoints(self) -> None:
        """Load endpoints (with partner type and secret); start a lane for each new one, stop removed ones."""
        e, p = t.feed_endpoints.c, t.partners.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(e.id, e.partner_id, e.url, e.secret, e.active, p.type)
                                .join(t.partners, p.id == e.partner_id).where(p.active)).all()
        with self._lock:
            self._endpoints = {r.id: r for r in rows}
        for endpoint_id in self._endpoints.keys() - self.lanes.keys():
            lane = self.lanes[endpoint_id] = Lane(self, endpoint_id)
            lane.start()
        for endpoint_id in self.lanes.keys() - self._endpoints.keys():
            self.lanes.pop(endpoint_id).stop()

    def step(self) -> dict[str, int]:
        """Sequence committed outbox rows, fan them out, wake the lanes that got work."""
        sequenced = sequence_pending(self.engine)
        created = fan_out(self.engine, _now())
        for endpoint_id, count in created.items():
            if count and endpoint_id in self.lanes:
                self.lanes[endpoint_id].wake.set()
        return {"sequenced": sequenced, "fanned_out": sum(created.values())}

    def run(self, stop: threading.Event) -> None:
        log.info("relay %s started", self.worker_id)
        waiter = _Waiter(self.engine)
        last_refresh = 0.0
        try:
            while not stop.is_set():
                now = _now().timestamp()
                try:
                    if now - last_refresh > 2.0:
                        self.refresh_endpoints()
                        last_refresh = now
                    progress = self.step()
                except Exception:
                    log.exception("relay step failed; retrying")
                    progress = {"sequenced": 0, "fanned_out": 0}
                if not progress["sequenced"] and not progress["fanned_out"]:
                    waiter.wait(self.settings.relay_poll_seconds, stop)
        finally:
            waiter.close()
            for lane in self.lanes.values():
                lane.stop()
            for lane in self.lanes.values():
                lane.join(timeout=self.settings.relay_timeout_seconds + 5)
            log.info("relay %s stopped", self.worker_id)


class _Waiter:
    """Waits for new outbox rows: LISTEN/NOTIFY on PostgreSQL (the 0003 trigger), a plain poll elsewhere."""

    def __init__(self, engine: Engine) -> None:
        self.conn = None
        if engine.dialect.name == "postgresql":
            try:
                import psycopg

                url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
                self.conn = psycopg.connect(url, autocommit=True)
                self.conn.execute("LISTEN keepword_outbox")
            except Exception:  # polling still works; say why it is slower
                log.warning("LISTEN unavailable, polling only", exc_info=True)
                self.conn = None

    def wait(self, seconds: float, stop: threading.Event) -> None:
        if self.conn is None:
            stop.wait(seconds)
            return
        try:
            for _ in self.conn.notifies(timeout=seconds, stop_after=1):
                pass
        except Exception:  # the connection dropped (a database restart): poll from now on
            log.warning("LISTEN connection lost, polling only", exc_info=True)
            self.close()
            self.conn = None

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # already broken
                pass
