"""The feed API as a partner uses it: pull pages, a snapshot, a webhook endpoint, acknowledgements, lag."""

from __future__ import annotations

import json

from api_support import api  # noqa: F401
from feed_support import listed_debtor, pay_in_full


def listed_and_paid(ctx):
    case = listed_debtor(ctx)
    pay_in_full(ctx, case)
    return case


def _key(api, partner_type):
    return {"X-API-Key": api.partner_key(partner_type)}


def test_a_partner_pages_the_feed_and_sees_only_its_view(api, ctx):
    case = listed_and_paid(ctx)
    headers = _key(api, "transport")
    first = api.client.get("/api/v1/feed", params={"after": 0, "limit": 1}, headers=headers)
    assert first.status_code == 200, first.text
    page = first.json()
    assert [e["type"] for e in page["events"]] == ["org.keepword.RestrictionOrdered"] and page["more"]
    rest = api.client.get("/api/v1/feed", params={"after": page["next"]}, headers=headers).json()
    assert [e["type"] for e in rest["events"]] == ["org.keepword.RestrictionLifted"] and not rest["more"]
    assert rest["events"][0]["data"]["identifier"] == case.debtors[0].party.id_number
    assert api.client.get("/api/v1/feed", params={"after": -1}, headers=headers).status_code == 422


def test_partners_without_the_feed_scope_and_staff_cannot_pull(api):
    assert api.client.get("/api/v1/feed").status_code == 401
    assert api.client.get("/api/v1/feed", headers=api.headers("officer")).status_code == 403


def test_the_snapshot_streams_the_list_with_its_position(api, ctx):
    listed_debtor(ctx)
    response = api.client.get("/api/v1/feed/snapshot", headers=_key(api, "credit_bureau"))
    assert response.status_code == 200
    body = json.loads(response.text)
    assert body["partner_type"] == "credit_bureau" and body["position"] > 0
    assert [i["published"]["name"] for i in body["items"]] == ["张三"]


def test_acknowledging_a_delisting_clears_it_from_the_unacknowledged_list(api, ctx):
    listed_and_paid(ctx)
    headers = _key(api, "credit_bureau")
    unacked = api.client.get("/api/v1/feed/unacknowledged", headers=headers).json()
    assert [u["type"] for u in unacked] == ["ListingDeleted"] and unacked[0]["deadline"] == "2024-03-07"
    supervisor = api.client.get("/api/v1/feed/unacknowledged", headers=api.headers("supervisor")).json()
    assert [u["event_id"] for u in supervisor] == [unacked[0]["event_id"]]
    bad = api.client.post("/api/v1/feed/acks", json={"event_ids": ["nope"]}, headers=headers)
    assert bad.status_code == 422 and "event_ids[0]" in bad.json()["detail"]
    ok = api.client.post("/api/v1/feed/acks", json={"event_ids": [unacked[0]["event_id"]]}, headers=headers)
    assert ok.status_code == 200 and ok.json()["acknowledged"] == [unacked[0]["event_id"]]
    assert api.client.get("/api/v1/feed/unacknowledged", headers=headers).json() == []


def test_a_partner_registers_a_webhook_endpoint_and_sees_its_lag(api, ctx):
    headers = _key(api, "bank")
    created = api.client.post("/api/v1/feed/endpoints", json={"url": "https://bank.example/hooks"}, headers=headers)
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    listed = api.client.get("/api/v1/feed/endpoints", headers=headers).json()
    assert [e["url"] for e in listed] == ["https://bank.example/hooks"] and "secret" not in listed[0]
    bad = api.client.post("/api/v1/feed/endpoints", json={"url": "ftp://x"}, headers=headers)
    assert bad.status_code == 422 and "url" in bad.json()["detail"]
    listed_and_paid(ctx)
    (lag,) = api.client.get("/api/v1/feed/lag", headers=headers).json()
    assert lag["partner_type"] == "bank" and lag["lag_positions"] == lag["head"] > 0


def test_the_partner_simulator_verifies_scores_and_acknowledges_through_the_api(api, ctx, engine, tmp_path):
    """The demo loop: keepword serving, the relay delivering, `keepword partner-sim` acknowledging."""
    import socket
    import subprocess
    import sys
    import threading
    import time

    import httpx
    import uvicorn

    from keepword.feeds.acks import unacknowledged
    from keepword.feeds.endpoints import add_endpoint
    from keepword.feeds.relay import Relay
    from keepword.feeds.signing import new_secret
    from keepword.settings import Settings

    def free_port() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    key = api.partner_key("credit_bureau")
    partner_id = api.client.get("/api/v1/feed/lag", headers={"X-API-Key": key}).json()[0]["partner_id"]
    server = uvicorn.Server(uvicorn.Config(api.app, host="127.0.0.1", port=free_port(), log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    sim_port, secret = free_port(), new_secret()
    sim = subprocess.Popen([sys.executable, "-c", "from keepword.cli import main; main()", "partner-sim",
                            "--port", str(sim_port), "--secret", secret,
                            "--api", f"http://127.0.0.1:{server.config.port}", "--api-key", key],
                           stdout=subprocess.DEVNULL, stderr=open(tmp_path / "sim.log", "wb"))
    stop = threading.Event()
    relay = Relay(engine, Settings(relay_poll_seconds=0.05, relay_backoff_base_seconds=0.05,
                                   relay_backoff_max_seconds=0.2))
    try:
        deadline = time.monotonic() + 60

        def sim_state() -> dict | None:
            assert time.monotonic() < deadline, (tmp_path / "sim.log").read_text()
            try:
                return httpx.get(f"http://127.0.0.1:{sim_port}/").json()
            except httpx.TransportError:
                time.sleep(0.2)
                return None

        while sim_state() is None:
            pass
        add_endpoint(engine, partner_id, f"http://127.0.0.1:{sim_port}/webhooks", secret=secret)
        threading.Thread(target=relay.run, args=(stop,), daemon=True).start()
        listed_and_paid(ctx)
        while not (state := sim_state()) or state["acked"] < 1:
            time.sleep(0.2)
        assert unacknowledged(engine, ctx.policy, ctx.clock.now(), partner_id) == []
    finally:
        stop.set()
        sim.terminate()
        sim.wait(timeout=10)
        server.should_exit = True
    assert state["applied"] == 2 and state["listed"] == 0 and state["acked"] == 1 and state["rejected"] == 0
