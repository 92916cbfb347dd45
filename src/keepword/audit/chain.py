"""The hash chain and checkpoint signatures: pure functions, no I/O."""

from __future__ import annotations

import hashlib
import hmac
import json
import json.encoder
from collections.abc import Callable

#: The ``prev_hash`` of the first entry.
GENESIS = "0" * 64


def _canonical_encoder() -> Callable[[object], str]:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, its C encoder built once
    instead of on every call (which cost as much as the encoding); without the C accelerator, that call."""
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_encoder is None:
        return lambda value: json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    encode = make_encoder(None, json.JSONEncoder().default, json.encoder.encode_basestring, None, ":", ",",
                          True, False, True)  # no circular-reference markers: entries are trees
    return lambda value: "".join(encode(value, 0))


#: One text per value: sorted keys, no spaces, UTF-8 kept as is.
canonical_json = _canonical_encoder()

#: :func:`canonical_json` of a string (what the encoder writes for every string in a value).
json_string = json.encoder.encode_basestring


def entry_hash(prev_hash: str, content: dict) -> str:
    """SHA-256 over the previous entry's hash and the canonical JSON of this entry."""
    return chained_hash(prev_hash, canonical_json(content))


def chained_hash(prev_hash: str, canonical: str) -> str:
    """:func:`entry_hash` of an entry whose canonical JSON is ``canonical``."""
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def checkpoint_signature(secret: str, seq: int, chain_hash: str) -> str:
    """HMAC-SHA256 with the server secret: only the key holder can vouch for the chain up to ``seq``."""
    return hmac.new(secret.encode(), f"{seq}:{chain_hash}".encode(), hashlib.sha256).hexdigest()


def signature_valid(secret: str, seq: int, chain_hash: str, signature: str) -> bool:
    return hmac.compare_digest(checkpoint_signature(secret, seq, chain_hash), signature)
