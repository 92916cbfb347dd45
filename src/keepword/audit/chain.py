"""The hash chain and checkpoint signatures: pure functions, no I/O."""

from __future__ import annotations

import hashlib
import hmac
import json

#: The ``prev_hash`` of the first entry.
GENESIS = "0" * 64


def canonical_json(value: object) -> str:
    """One text per value: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, content: dict) -> str:
    """SHA-256 over the previous entry's hash and the canonical JSON of this entry."""
    return hashlib.sha256(f"{prev_hash}\n{canonical_json(content)}".encode()).hexdigest()


def checkpoint_signature(secret: str, seq: int, chain_hash: str) -> str:
    """HMAC-SHA256 with the server secret: only the key holder can vouch for the chain up to ``seq``."""
    return hmac.new(secret.encode(), f"{seq}:{chain_hash}".encode(), hashlib.sha256).hexdigest()


def signature_valid(secret: str, seq: int, chain_hash: str, signature: str) -> bool:
    return hmac.compare_digest(checkpoint_signature(secret, seq, chain_hash), signature)
