"""Identifiers of records: random, URL-safe and sortable by creation time."""

from __future__ import annotations

import os
import time


def new_id() -> str:
    """A 26-character, time-ordered identifier (48-bit milliseconds + 80 random bits, base32)."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    out = []
    for _ in range(26):
        value, rem = divmod(value, 32)
        out.append(alphabet[rem])
    return "".join(reversed(out))
