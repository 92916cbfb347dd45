"""Bearer tokens and sessions verified recently, so that a request need not look its token up again.

Keyed by the token's SHA-256 (never the token itself) and its kind. An entry lives at most
``ttl_seconds`` and never past the token's own expiry. Revoking a token, or changing or disabling a
user, through this process's account services forgets the entries at once; another process (a second
server worker, the CLI) is not told, so there a change takes effect within ``ttl_seconds``
(KEEPWORD_TOKEN_CACHE_SECONDS; 0 turns the cache off). See docs/adr/0004-group-commit-of-read-audits.md.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from keepword.services.access import Principal


class VerifiedTokens:
    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        # (token hash, kind) -> (monotonic deadline, token expiry, principal); read without the lock
        # (a dict lookup is atomic), replaced whole under it.
        self._entries: dict[tuple[str, str], tuple[float, datetime, Principal]] = {}
        self._lock = threading.Lock()
        # Bumped by every forget: a lookup that began before it does not store what it found.
        self.generation = 0

    def get(self, token_hash: str, kind: str, now: datetime) -> Principal | None:
        """The principal of a live cached token, or None (never cached, stale, or past its expiry)."""
        found = self._entries.get((token_hash, kind))
        if found is None:
            return None
        deadline, expires_at, principal = found
        if deadline <= time.monotonic() or expires_at <= now:
            return None
        return principal

    def put(self, token_hash: str, kind: str, principal: Principal, expires_at: datetime, generation: int) -> None:
        """Remember a token verified against the database by a lookup that began at ``generation``."""
        if self.ttl_seconds <= 0:
            return
        with self._lock:
            if generation != self.generation:
                return  # forgotten meanwhile: what the lookup found may already be revoked
            if len(self._entries) >= self.max_entries:
                self._drop_stale()
            self._entries[(token_hash, kind)] = (time.monotonic() + self.ttl_seconds, expires_at, principal)

    def forget(self, token_hash: str) -> None:
        """A token was revoked: its next use is checked against the database."""
        with self._lock:
            self.generation += 1
            for key in [k for k in self._entries if k[0] == token_hash]:
                del self._entries[key]

    def forget_user(self, user_id: str) -> None:
        """A user's roles changed or the account was disabled: every token of theirs is checked again."""
        with self._lock:
            self.generation += 1
            self._entries = {k: v for k, v in self._entries.items() if v[2].id != user_id}

    def _drop_stale(self) -> None:
        now = time.monotonic()
        self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
        while len(self._entries) >= self.max_entries:  # all fresh: drop the oldest
            del self._entries[next(iter(self._entries))]
