"""Partner API keys on a screening replica: verified against the database, then trusted briefly.

A replica answers thousands of checks a second; asking the database about the same key for each
of them would make the database the bottleneck of every replica. A key verified once is trusted
for ``ttl_seconds`` (setting ``screening_key_cache_seconds``): a key revoked or rotated meanwhile
keeps working on a replica for at most that long, and a partner's changed scopes take as long to
show. Keys that fail are not remembered (each costs a lookup, as on the main server). The cache
holds SHA-256 digests of keys, never the keys themselves.
"""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from keepword.accounts import AccountsContext
from keepword.accounts.credentials import API_KEY_PREFIX
from keepword.accounts.partners import cached_api_key, resolve_api_key
from keepword.accounts.token_cache import VerifiedTokens
from keepword.domain.errors import AuthenticationFailed
from keepword.services.access import ANONYMOUS, Principal

#: Keys remembered at most (a replica serves a few hundred partners).
MAX_KEYS = 10_000


class CachedApiKeys:
    """``principal`` is a FastAPI dependency standing in for ``keepword.web.auth.current_principal``.

    The keys verified are kept in the same cache as the main server's verified tokens
    (:class:`keepword.accounts.token_cache.VerifiedTokens`), under a kind of their own.
    """

    def __init__(self, accounts: AccountsContext, ttl_seconds: float) -> None:
        self.accounts = accounts
        self._verified = VerifiedTokens(ttl_seconds, max_entries=MAX_KEYS)

    def cached(self, key: str) -> Principal | None:
        """The partner of a key verified within the time to live, else None."""
        return cached_api_key(self.accounts, key, self._verified)

    def resolve(self, key: str) -> Principal | None:
        """The partner of a live key, from the cache while fresh, else from the database."""
        return resolve_api_key(self.accounts, key, self._verified)

    async def principal(self, request: Request) -> Principal:
        """The partner calling (``X-API-Key``, or ``Authorization: Bearer kwp_...``), or ANONYMOUS."""
        key = request.headers.get("x-api-key")
        if not key:
            scheme, _, credential = request.headers.get("authorization", "").partition(" ")
            if scheme and (scheme.lower() != "bearer" or not credential.strip().startswith(f"{API_KEY_PREFIX}_")):
                raise AuthenticationFailed("a screening replica accepts partner API keys only")
            key = credential.strip()
        if not key:
            return ANONYMOUS
        principal = self.cached(key) or await run_in_threadpool(self.resolve, key)
        if principal is None:
            raise AuthenticationFailed("API key unknown or revoked")
        return principal
