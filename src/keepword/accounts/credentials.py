"""Random secrets handed out once (API keys, bearer tokens, session ids) and their stored SHA-256 form."""

from __future__ import annotations

import hashlib
import secrets

API_KEY_PREFIX = "kwp"
TOKEN_PREFIX = "kwt"


def sha256_hex(secret: str) -> str:
    # Enough for high-entropy secrets (256 random bits): no salt or slow hash needed, and lookups stay cheap.
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token() -> str:
    return f"{TOKEN_PREFIX}_{secrets.token_urlsafe(32)}"


def new_api_key() -> tuple[str, str]:
    """(full key, lookup prefix): ``kwp_<prefix>_<secret>``; only the prefix and the hash are stored."""
    prefix = secrets.token_hex(6)
    return f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def api_key_prefix(key: str) -> str | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or len(parts[1]) != 12:
        return None
    return parts[1]
