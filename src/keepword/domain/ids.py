"""Identifiers of records: random, URL-safe and sortable by creation time."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"

# Demo data must be reproducible from a seed, so a generator may replace the random source for a while.
_factory: ContextVar[Callable[[], str] | None] = ContextVar("keepword_id_factory", default=None)
_last = [0, 0]  # milliseconds and random part of the last id made by new_id
_lock = threading.Lock()


def format_id(millis: int, random80: int) -> str:
    """The 26-character form of 48-bit milliseconds and 80 random bits, base32."""
    value = (millis << 80) | random80
    out = []
    for _ in range(26):
        value, rem = divmod(value, 32)
        out.append(_ALPHABET[rem])
    return "".join(reversed(out))


def new_id() -> str:
    """A 26-character, time-ordered identifier (48-bit milliseconds + 80 random bits, base32)."""
    factory = _factory.get()
    if factory is not None:
        return factory()
    millis, random80 = int(time.time() * 1000), int.from_bytes(os.urandom(10), "big")
    with _lock:
        # Within one millisecond (or after the clock stepped back) continue from the last id, so that the ids
        # one process makes sort in creation order: the store orders a case's parties and records by them.
        last_millis, last_random = _last
        if millis <= last_millis:
            millis, random80 = last_millis, last_random + 1
            if random80 >> 80:
                millis, random80 = millis + 1, 0
        _last[:] = [millis, random80]
    return format_id(millis, random80)


@contextmanager
def ids_from(factory: Callable[[], str]) -> Iterator[None]:
    """Take every new id from ``factory`` inside the block (seeded demo data); the default outside."""
    token = _factory.set(factory)
    try:
        yield
    finally:
        _factory.reset(token)
