"""The cache of verified tokens: never past the token's expiry or its own time to live, and a revocation
or user change forgets at once, even a lookup that was under way when it happened."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from keepword.accounts import token_cache
from keepword.accounts.token_cache import VerifiedTokens
from keepword.services.access import Principal

NOW = datetime(2024, 3, 4, 2, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(hours=8)
OFFICER = Principal(id="u1", name="王", roles=frozenset({"officer"}), court_id="330102")
CLERK = Principal(id="u2", name="李", roles=frozenset({"clerk"}), court_id="330102")


@pytest.fixture
def monotonic(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(token_cache.time, "monotonic", lambda: clock[0])
    return clock


def test_a_verified_token_is_answered_until_its_time_to_live_ends(monotonic):
    cache = VerifiedTokens(ttl_seconds=10)
    cache.put("h1", "bearer", OFFICER, LATER, cache.generation)
    assert cache.get("h1", "bearer", NOW) is OFFICER
    assert cache.get("h1", "session", NOW) is None, "a bearer token is not a session"
    monotonic[0] += 9.9
    assert cache.get("h1", "bearer", NOW) is OFFICER
    monotonic[0] += 0.2
    assert cache.get("h1", "bearer", NOW) is None


def test_never_past_the_tokens_own_expiry(monotonic):
    cache = VerifiedTokens(ttl_seconds=60)
    cache.put("h1", "bearer", OFFICER, NOW + timedelta(seconds=5), cache.generation)
    assert cache.get("h1", "bearer", NOW + timedelta(seconds=4)) is OFFICER
    assert cache.get("h1", "bearer", NOW + timedelta(seconds=5)) is None


def test_revoking_a_token_or_changing_a_user_forgets_at_once(monotonic):
    cache = VerifiedTokens(ttl_seconds=60)
    for digest, who in (("h1", OFFICER), ("h2", OFFICER), ("h3", CLERK)):
        cache.put(digest, "bearer", who, LATER, cache.generation)
    cache.forget("h1")
    assert cache.get("h1", "bearer", NOW) is None and cache.get("h2", "bearer", NOW) is OFFICER
    cache.forget_user("u1")
    assert cache.get("h2", "bearer", NOW) is None and cache.get("h3", "bearer", NOW) is CLERK


def test_a_lookup_under_way_during_a_revocation_does_not_store_what_it_found(monotonic):
    cache = VerifiedTokens(ttl_seconds=60)
    began = cache.generation      # a request starts looking the token up in the database ...
    cache.forget("h1")            # ... the token is revoked meanwhile ...
    cache.put("h1", "bearer", OFFICER, LATER, began)
    assert cache.get("h1", "bearer", NOW) is None, "... so its possibly stale answer is not kept"


def test_zero_seconds_turns_the_cache_off_and_it_stays_bounded(monotonic):
    off = VerifiedTokens(ttl_seconds=0)
    off.put("h1", "bearer", OFFICER, LATER, off.generation)
    assert off.get("h1", "bearer", NOW) is None
    small = VerifiedTokens(ttl_seconds=60, max_entries=3)
    for i in range(5):
        small.put(f"h{i}", "bearer", OFFICER, LATER, small.generation)
    assert [small.get(f"h{i}", "bearer", NOW) for i in range(5)] == [None, None, OFFICER, OFFICER, OFFICER]
