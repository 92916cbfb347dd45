"""``keepword screen-server`` end to end: a real replica process follows the registry and answers over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from api_support import test_settings as settings_for_tests
from feed_support import listed_debtor, pay_in_full
from keepword.accounts import AccountsContext
from keepword.accounts.partners import create_partner, revoke_keys
from keepword.screening import hmac_key
from keepword.store import tables as t

PURPOSE = "account opening"
SECRET = "replica-shared-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    return result


@pytest.fixture
def replica(engine):
    """A screen-server process on the test database; yields (base URL, the process)."""
    port = _free_port()
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "KEEPWORD_SECRET_KEY": "test-secret-key-0123456789", "KEEPWORD_SCREENING_HMAC_SECRET": SECRET,
           "KEEPWORD_SCREENING_KEY_CACHE_SECONDS": "1"}
    keepword = Path(sys.executable).with_name("keepword")
    server = subprocess.Popen([str(keepword), "screen-server", "--db", url, "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        def ready():
            assert server.poll() is None, server.stdout.read().decode()
            try:
                return httpx.get(f"{base}/ready", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False
        _until(ready, 90, "the replica never became ready")
        yield base, server
    finally:
        server.terminate()
        server.communicate(timeout=30)


@pytest.mark.slow
def test_a_replica_answers_over_http_and_drops_a_debtor_who_paid_within_seconds(engine, ctx, replica):
    base, _ = replica
    case, staying = listed_debtor(ctx, ringback=False), listed_debtor(ctx, ringback=False).debtors[0].party
    debtor = case.debtors[0].party
    accounts = AccountsContext.build(engine, settings_for_tests())
    issued = create_partner(accounts, "a bank", "bank", actor="test")
    bank = {"X-API-Key": issued.key}

    def decision(**record) -> dict:
        response = httpx.post(f"{base}/api/v1/screening/check", json={"purpose": PURPOSE, **record}, headers=bank)
        assert response.status_code == 200, response.text
        return response.json()

    assert httpx.get(f"{base}/health").json() == {"status": "ok"}
    assert httpx.post(f"{base}/api/v1/screening/check", json={"purpose": PURPOSE}).status_code == 401
    # Listed after the replica loaded: found once the follower applies the feed.
    # The answer names the feed position it reflects at least (the position moves just after the change).
    found = _until(lambda: (d := decision(id_number=debtor.id_number))["decision"] == "match"
                   and d["index"]["feed_position"] > 0 and d, 10, "the newly listed debtor never matched")
    assert found["entry_id"] == debtor.id
    assert decision(digest=hmac_key(SECRET, debtor.id_number))["decision"] == "match", "privacy mode"
    batch = httpx.post(f"{base}/api/v1/screening/batch", headers=bank, json={"purpose": PURPOSE, "records": [
        {"record_id": "a", "id_number": debtor.id_number}, {"record_id": "b", "id_number": staying.id_number}]})
    assert [r["decision"] for r in batch.json()["results"]] == ["match", "match"]

    pay_in_full(ctx, case)
    _until(lambda: (d := decision(id_number=debtor.id_number))["decision"] == "no_match"
           and d["index"]["feed_position"] > found["index"]["feed_position"], 10,
           "the replica still matched a debtor who paid in full")
    assert decision(id_number=staying.id_number)["decision"] == "match", "another debtor stays listed"
    ready = _until(lambda: (r := httpx.get(f"{base}/ready").json())["lag_positions"] == 0 and r, 10,
                   "the replica stayed behind the feed")
    assert ready["ready"] and ready["generation"] == 1 and ready["source"] == "database"

    with engine.connect() as conn:
        audited = conn.execute(select(t.audit_log.c.action, t.audit_log.c.actor, t.audit_log.c.details)
                               .where(t.audit_log.c.action.like("screening.%"))).all()
    assert {row.action for row in audited} == {"screening.check", "screening.batch"}
    assert {row.actor for row in audited} == {f"partner:{issued.partner_id}"}
    assert debtor.id_number not in str([row.details for row in audited])

    revoke_keys(accounts, issued.partner_id, actor="test")
    _until(lambda: httpx.post(f"{base}/api/v1/screening/check", headers=bank,
                              json={"purpose": PURPOSE, "id_number": debtor.id_number}).status_code == 401,
           10, "a revoked key kept working past the cache's lifetime")
