"""`keepword partner-sim`: a reference webhook receiver that behaves as a credit bureau.

It verifies every request with ``standardwebhooks.Webhook(secret).verify`` (a bad signature gets 401),
applies each event once (by ``webhook-id``: redeliveries are answered 200 and ignored), deducts points
when a debtor is listed and restores them on a delisting or revocation, and acknowledges delistings
through POST /api/v1/feed/acks when it knows the API. Tests subclass it to inject faults.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from standardwebhooks import Webhook, WebhookVerificationError

from keepword.domain.events import RELIEF_EVENTS

log = logging.getLogger("keepword.feeds.partner_sim")
BASE_SCORE = 700
LISTING_PENALTY = 150


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the relay gave up waiting (a timeout): expected, not worth a traceback
        super().handle_error(request, client_address)


@dataclass(frozen=True)
class Receipt:
    """One verified request: which event, when, and whether it was a repeat of an id already applied."""

    event_id: str
    type: str
    position: int
    key: str
    at: float
    repeat: bool


class WebhookReceiver:
    """A threaded HTTP receiver on 127.0.0.1 that verifies Standard Webhooks signatures."""

    def __init__(self, secret: str, port: int = 0, host: str = "127.0.0.1") -> None:
        self.secret = secret
        self.webhook = Webhook(secret)
        self.lock = threading.Lock()
        self.receipts: list[Receipt] = []
        self.applied: dict[str, dict] = {}
        self.rejected = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:  # the sender died mid-request (a killed relay): nothing to answer
                    self.close_connection = True
                    return
                status = receiver.receive(body, {k.lower(): v for k, v in self.headers.items()})
                payload = b"" if status is None else b"{}"
                self.send_response(status or 200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:  # noqa: N802
                body = json.dumps(receiver.state(), ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:  # quiet: the receipts are the record
                pass

        self.server = _Server((host, port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="webhook-receiver", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/webhooks"

    def start(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def receive(self, body: bytes, headers: dict[str, str]) -> int:
        """Verify, record and apply one request; returns the HTTP status to answer."""
        fault = self.fault()
        if fault is not None:
            return fault
        try:
            event = self.webhook.verify(body, headers)
        except WebhookVerificationError:
            with self.lock:
                self.rejected += 1
            return 401
        if event.get("id") != headers.get("webhook-id"):
            return 400
        with self.lock:
            repeat = event["id"] in self.applied
            self.receipts.append(Receipt(event["id"], event["type"].rsplit(".", 1)[-1], event.get("position", 0),
                                         event.get("partitionkey", ""), time.monotonic(), repeat))
            if not repeat:
                self.applied[event["id"]] = event
                self.apply(event)
        return 200

    def fault(self) -> int | None:
        """Hook for tests: an HTTP status to answer instead of processing (or sleep to time out)."""
        return None

    def apply(self, event: dict) -> None:
        """Hook: act on an event the first time it arrives."""

    def state(self) -> dict:
        with self.lock:
            return {"received": len(self.receipts), "applied": len(self.applied), "rejected": self.rejected}


class CreditBureauSim(WebhookReceiver):
    """Deducts points when a debtor is listed, restores them when the listing is deleted or revoked,
    and acknowledges each delisting through the API."""

    def __init__(self, secret: str, port: int = 0, *, api_url: str | None = None, api_key: str | None = None,
                 host: str = "127.0.0.1") -> None:
        super().__init__(secret, port, host)
        self.penalties: dict[str, dict] = {}   # listing_id -> who and how many points
        self.api_url = api_url.rstrip("/") if api_url else None
        self.api_key = api_key
        self.acked: list[str] = []
        self.to_ack: list[str] = []
        self.ack_failures = 0
        self.ack_interval = 0.5

    def apply(self, event: dict) -> None:
        data = event.get("data") or {}
        listing_id = data.get("listing_id")
        kind = event["type"].rsplit(".", 1)[-1]
        if kind == "DebtorListed" and listing_id:
            published = data.get("published", {})
            self.penalties[listing_id] = {"name": published.get("name"),
                                          "id": published.get("id_number_masked") or published.get("credit_code"),
                                          "points": LISTING_PENALTY}
        elif kind in ("ListingDeleted", "ListingRevoked") and listing_id:
            self.penalties.pop(listing_id, None)
        if kind in RELIEF_EVENTS:
            self.to_ack.append(event["id"])  # under self.lock (apply runs inside receive's lock)

    def start(self) -> CreditBureauSim:
        super().start()
        if self.api_url and self.api_key:
            threading.Thread(target=self._acknowledge_loop, name="acks", daemon=True).start()
        return self

    def _acknowledge_loop(self) -> None:
        while True:
            time.sleep(self.ack_interval)
            self.acknowledge_pending()

    def acknowledge_pending(self) -> int:
        """Tell keepword which delistings are applied (POST /api/v1/feed/acks, up to 1000 at a time)."""
        with self.lock:
            batch, self.to_ack = self.to_ack[:1000], self.to_ack[1000:]
        if not batch:
            return 0
        try:
            response = httpx.post(f"{self.api_url}/api/v1/feed/acks", json={"event_ids": batch},
                                  headers={"authorization": f"Bearer {self.api_key}"}, timeout=10)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            with self.lock:
                self.ack_failures += 1
                self.to_ack = batch + self.to_ack  # try again on the next round
            log.warning("acknowledging %d delistings failed: %s", len(batch), exc)
            return 0
        with self.lock:
            self.acked.extend(batch)
        return len(batch)

    def score(self, listing_id: str) -> int:
        with self.lock:
            penalty = self.penalties.get(listing_id)
            return BASE_SCORE - (penalty["points"] if penalty else 0)

    def state(self) -> dict:
        base = super().state()
        with self.lock:
            base.update(listed=len(self.penalties), acked=len(self.acked), ack_failures=self.ack_failures,
                        penalties={k: dict(v) for k, v in list(self.penalties.items())[:100]})
        return base
