"""The relay (`keepword worker`): sequences the outbox and delivers signed webhooks to partners.

One main loop waits for commits (LISTEN/NOTIFY on PostgreSQL, a cheap look at the newest outbox row
on SQLite), then sequences new outbox rows and fans them out into deliveries in one transaction, and
rings the lanes that got work. One lane per endpoint claims due deliveries (at most one per debtor at
a time), posts them concurrently, and records the outcomes. A slow or failing partner only slows its
own lane. See docs/adr/0005-relay-round-trips.md.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import httpx
from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.exc import OperationalError

from keepword.feeds.backoff import RetrySchedule
from keepword.feeds.deliveries import Outcome, claim, fan_out, record
from keepword.feeds.envelope import cloud_event
from keepword.feeds.refs import load_refs
from keepword.feeds.sequencer import BATCH as SEQUENCE_BATCH, sequence_batch
from keepword.feeds.signing import signed_headers
from keepword.feeds.views import CARRIER, CREDIT_BUREAU, view
from keepword.store import tables as t
from keepword.store.database import _sqlite_begin_immediate, make_engine

log = logging.getLogger("keepword.feeds.relay")
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
LOOPS_PER_LANE = 2
REFRESH_SECONDS = 2.0  # endpoints are reloaded, and a fan-out runs even without new positions, this often
STOP_CHECK_SECONDS = 0.25  # a long wait for NOTIFY still notices a stop request this soon


def _now() -> datetime:
    return datetime.now(timezone.utc)


class _Doorbell:
    """Wakes one waiting loop of a lane; a ring while no loop waits is kept for the next one that would."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._rung = False

    def ring(self, everyone: bool = False) -> None:
        with self._condition:
            self._rung = True
            if everyone:
                self._condition.notify_all()
            else:
                self._condition.notify()

    def wait(self, seconds: float) -> None:
        with self._condition:
            if not self._rung:
                self._condition.wait(seconds)
            self._rung = False


class Lane:
    """Delivers one endpoint's due deliveries until told to stop."""

    def __init__(self, relay: Relay, endpoint_id: str) -> None:
        self.relay = relay
        self.endpoint_id = endpoint_id
        self.doorbell = _Doorbell()
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
                again = self.deliver_batch()
            except Exception:  # a database hiccup must not kill the lane: log it and try again shortly
                log.exception("lane %s: delivery round failed", self.endpoint_id)
                again = False
            if not again:
                # Woken by the main loop's fan-out; the timeout picks up retries that fall due.
                self.doorbell.wait(self.relay.settings.relay_poll_seconds)

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.doorbell.ring(everyone=True)

    def join(self, timeout: float) -> None:
        for thread in self.threads:
            thread.join(timeout=timeout)
        self.pool.shutdown(wait=False)
        self.client.close()

    def deliver_batch(self) -> bool:
        """Claim, post and record one batch; True when more deliveries are due at once."""
        relay, settings = self.relay, self.relay.settings
        endpoint = relay.endpoint(self.endpoint_id)
        if endpoint is None:
            return False
        with relay.connect() as conn, conn.begin():
            claimed = claim(conn, self.endpoint_id, relay.worker_id, _now(), settings.relay_lease_seconds,
                            settings.relay_batch_size)
            if not claimed.rows:
                return False
            refs = _refs_for(conn, endpoint.type, claimed.rows)
        outcomes = self.send(endpoint, claimed.rows, refs)
        recorded = record(relay.engine, self.endpoint_id, relay.worker_id, outcomes, _now(), relay.schedule,
                          endpoint_failures=claimed.endpoint_failures)
        if recorded.disabled:
            log.error("endpoint %s (partner %s, %s) DISABLED after persistent failure: %s", self.endpoint_id,
                      endpoint.partner_id, endpoint.url, recorded.disabled)
        return len(claimed.rows) >= settings.relay_batch_size or recorded.followers_waiting

    def send(self, endpoint, rows: list, refs) -> list[Outcome]:
        """Render and post each claimed delivery (concurrently, up to the in-flight limit); their outcomes in order."""
        outcomes: list = []
        posts = []
        for row in rows:
            data = view(endpoint.type, row, refs)
            if data is None:  # no longer concerns the partner (the party was purged, say): nothing to send
                outcomes.append(Outcome(row.delivery_id, ok=True, skipped=True))
                continue
            body = json.dumps(cloud_event(row, data, refs), ensure_ascii=False, separators=(",", ":"))
            posts.append(len(outcomes))
            outcomes.append((row, body))
        if len(posts) == 1:  # the usual case at a steady rate: no hand-over to the pool
            outcomes[posts[0]] = self.post(endpoint, *outcomes[posts[0]])
        else:
            jobs = {i: self.pool.submit(self.post, endpoint, *outcomes[i]) for i in posts}
            for i, job in jobs.items():
                outcomes[i] = job.result()
        return outcomes

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


def _refs_for(conn: Connection, partner_type: str, rows: list):
    """What the partner type's views need and no more: a credit bureau's need only the cases' courts."""
    return load_refs(conn, rows, debtors=partner_type != CREDIT_BUREAU, ringbacks=partner_type == CARRIER)


class Relay:
    """The worker: ``run(stop)`` until ``stop`` is set; ``step()`` for one sequencing and fan-out pass."""

    def __init__(self, engine: Engine, settings, *, worker_id: str | None = None) -> None:
        self.engine = _relay_engine(engine)
        self._own_engine = self.engine is not engine
        self.settings = settings
        self.schedule = RetrySchedule.from_settings(settings)
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lanes: dict[str, Lane] = {}
        self._endpoints: dict[str, object] = {}
        self._lock = threading.Lock()
        self._fanned_out_to = -1  # the head the last complete fan-out reached (-1: fan out on the next step)

    def connect(self) -> Connection:
        """A connection for one round of a lane: autocommit on PostgreSQL, where each claim and each
        recorded batch is a single statement (no BEGIN and COMMIT round trips)."""
        conn = self.engine.connect()
        if self.engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        return conn

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
        self._fanned_out_to = -1  # a new endpoint may start behind the head

    def step(self, conn: Connection | None = None) -> dict[str, int]:
        """Sequence committed outbox rows and fan them out, in one transaction; ring the lanes that got work.

        ``more`` is 1 when a batch limit was reached and another step should follow at once. ``conn``
        (no transaction open) saves a pool checkout; by default one is taken from the engine.
        """
        if conn is None:
            with self.engine.connect() as fresh:
                return self.step(fresh)
        now = _now()
        created: dict[str, int] = {}
        complete = True
        with conn.begin():
            run = sequence_batch(conn, batch=SEQUENCE_BATCH)
            if run.assigned or run.head > self._fanned_out_to:
                created, complete = fan_out(conn, now, run.head)
        self._fanned_out_to = run.head if complete else -1
        for endpoint_id, count in created.items():
            if count and endpoint_id in self.lanes:
                self.lanes[endpoint_id].doorbell.ring()
        return {"sequenced": run.assigned, "fanned_out": sum(created.values()),
                "more": int(run.assigned >= SEQUENCE_BATCH or not complete)}

    def run(self, stop: threading.Event) -> None:
        log.info("relay %s started", self.worker_id)
        watch = _CommitWatch(self.engine, self.settings.relay_commit_check_seconds)
        conn: Connection | None = None  # the main loop keeps one connection (steps come as often as commits)
        last_refresh = 0.0
        try:
            while not stop.is_set():
                more = False
                try:
                    if time.monotonic() - last_refresh > REFRESH_SECONDS:
                        self.refresh_endpoints()
                        last_refresh = time.monotonic()
                    conn = conn or self.engine.connect()
                    watch.arm()  # commits from here on wake the next wait; earlier ones this step sees
                    more = bool(self.step(conn)["more"])
                except Exception:
                    log.exception("relay step failed; retrying")
                    conn = _discard(conn)
                if not more:
                    watch.wait(self.settings.relay_poll_seconds, stop)
        finally:
            _discard(conn)
            watch.close()
            for lane in self.lanes.values():
                lane.stop()
            for lane in self.lanes.values():
                lane.join(timeout=self.settings.relay_timeout_seconds + 5)
            if self._own_engine:
                self.engine.dispose()
            log.info("relay %s stopped", self.worker_id)


def _discard(conn: Connection | None) -> None:
    """Give a connection back after a failure (a broken one is thrown away by the pool); returns None."""
    if conn is not None:
        try:
            conn.close()
        except Exception:  # already broken
            pass
    return None


def _relay_engine(engine: Engine) -> Engine:
    """An engine of the relay's own, tuned for a process that retries every round after any error.

    PostgreSQL: the pool does not ping each connection it hands out (a ping is one more round trip
    per round); a connection that broke (a database restart) fails one round, then the pool replaces
    its connections. SQLite: a transaction that finds the write lock taken tries again every
    millisecond, where SQLite's own busy handler sleeps ever longer (up to 100 ms) and loses the lock
    to writers that keep taking it; the relay's transactions are a few milliseconds long.
    """
    if engine.dialect.name == "postgresql":
        return create_engine(engine.url, pool_pre_ping=False, pool_size=8, max_overflow=64)
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return engine
    own = make_engine(engine.url.render_as_string(hide_password=False))
    event.listen(own, "connect", _sqlite_fail_fast)
    event.remove(own, "begin", _sqlite_begin_immediate)
    event.listen(own, "begin", _sqlite_begin_immediate_retrying)
    return own


SQLITE_LOCK_RETRY_SECONDS = 0.001
SQLITE_LOCK_PATIENCE_SECONDS = 30.0  # as long as SQLite's own busy timeout in keepword.store.database


def _sqlite_fail_fast(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=0")
    cursor.close()


def _sqlite_begin_immediate_retrying(conn) -> None:
    deadline = time.monotonic() + SQLITE_LOCK_PATIENCE_SECONDS
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if "locked" not in str(exc.orig) or time.monotonic() > deadline:
                raise
        time.sleep(SQLITE_LOCK_RETRY_SECONDS)


class _CommitWatch:
    """Waits for new outbox rows.

    PostgreSQL: LISTEN keepword_outbox (the 0003 trigger notifies on every commit with events).
    SQLite: the newest outbox ``seq``, read every ``check_seconds`` on a connection of its own outside
    any transaction (SQLite commits writers one at a time, so a new commit means a larger ``seq``); a
    read costs microseconds and takes no lock.
    """

    def __init__(self, engine: Engine, check_seconds: float) -> None:
        self.listen = None
        self.sqlite = None
        self.check_seconds = check_seconds
        self.seen: int | None = None
        if engine.dialect.name == "postgresql":
            try:
                import psycopg

                url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
                self.listen = psycopg.connect(url, autocommit=True)
                self.listen.execute("LISTEN keepword_outbox")
            except Exception:  # polling still works; say why it is slower
                log.warning("LISTEN unavailable, polling only", exc_info=True)
                self.listen = None
        elif engine.dialect.name == "sqlite":
            self.sqlite = engine.raw_connection()

    def arm(self) -> None:
        """Forget the commits seen so far: the step about to run reads them."""
        try:
            if self.listen is not None:
                for _ in self.listen.notifies(timeout=0):
                    pass
            elif self.sqlite is not None:
                self.seen = self._newest_seq()
        except Exception:  # a lost connection: poll from now on
            log.warning("commit watch lost its connection, polling only", exc_info=True)
            self.close()

    def wait(self, seconds: float, stop: threading.Event) -> None:
        """Until a commit after ``arm``, ``seconds`` passed, or ``stop``."""
        deadline = time.monotonic() + seconds
        try:
            if self.listen is not None:
                while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
                    if any(True for _ in self.listen.notifies(timeout=min(left, STOP_CHECK_SECONDS), stop_after=1)):
                        return
                return
            if self.sqlite is not None:
                while not stop.wait(self.check_seconds):
                    if self._newest_seq() != self.seen or time.monotonic() >= deadline:
                        return
                return
        except Exception:  # the connection dropped (a database restart): poll from now on
            log.warning("commit watch lost its connection, polling only", exc_info=True)
            self.close()
        stop.wait(seconds)

    def _newest_seq(self) -> object:
        """The newest outbox ``seq``; if SQLite is busy for a moment, a value unlike any other (a new commit
        as far as the caller can tell: the step that follows waits for the lock properly)."""
        cursor = self.sqlite.cursor()
        try:
            return cursor.execute("SELECT max(seq) FROM outbox").fetchone()[0]
        except sqlite3.OperationalError:
            return object()
        finally:
            cursor.close()

    def close(self) -> None:
        for conn in (self.listen, self.sqlite):
            if conn is not None:
                try:
                    conn.close()
                except Exception:  # already broken
                    pass
        self.listen = self.sqlite = None
