"""Identifiers of records: random, URL-safe and sortable by creation time."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32, in ASCII order: text order is value order
# Every 10-bit value as its two characters: an id is 13 look-ups instead of 26 divisions (a bulk import
# makes four ids per case).
_PAIRS = tuple(high + low for high in _ALPHABET for low in _ALPHABET)

# Demo data must be reproducible from a seed, so a generator may replace the random source for a while.
_factory: ContextVar[Callable[[], str] | None] = ContextVar("keepword_id_factory", default=None)
_last = [0, 0]  # milliseconds and random part of the last id made by new_id
_lock = threading.Lock()


def format_id(millis: int, random80: int) -> str:
    """The 26-character form of 48-bit milliseconds and 80 random bits, base32."""
    return _format(millis << 80 | random80)


def _format(v: int) -> str:
    p = _PAIRS
    return (p[v >> 120] + p[v >> 110 & 1023] + p[v >> 100 & 1023] + p[v >> 90 & 1023] + p[v >> 80 & 1023]
            + p[v >> 70 & 1023] + p[v >> 60 & 1023] + p[v >> 50 & 1023] + p[v >> 40 & 1023] + p[v >> 30 & 1023]
            + p[v >> 20 & 1023] + p[v >> 10 & 1023] + p[v & 1023])


def new_id() -> str:
    """A 26-character, time-ordered identifier (48-bit milliseconds + 80 random bits, base32)."""
    factory = _factory.get()
    if factory is not None:
        return factory()
    millis = time.time_ns() // 1_000_000
    with _lock:
        # Within one millisecond (or after the clock stepped back) continue from the last id, so that the ids
        # one process makes sort in creation order: the store orders a case's parties and records by them.
        last_millis, last_random = _last
        if millis <= last_millis:
            millis, random80 = last_millis, last_random + 1
            if random80 >> 80:
                millis, random80 = millis + 1, 0
        else:
            random80 = int.from_bytes(os.urandom(10), "big")
        _last[0], _last[1] = millis, random80
    return format_id(millis, random80)


def new_ids(count: int) -> list[str]:
    """``count`` identifiers at once, in creation order: the same as ``count`` calls of :func:`new_id`."""
    factory = _factory.get()
    if factory is not None:
        return [factory() for _ in range(count)]
    if count <= 0:
        return []
    millis = time.time_ns() // 1_000_000
    with _lock:
        last_millis, last_random = _last
        if millis <= last_millis:
            millis, first = last_millis, last_random + 1
        else:
            first = int.from_bytes(os.urandom(10), "big")
        if (first + count - 1) >> 80:
            millis, first = millis + 1, 0
        _last[0], _last[1] = millis, first + count - 1
    # Consecutive values share all but their last few characters: format those once per 2**20 ids.
    start = millis << 80 | first
    ids, prefix_of, prefix = [], -1, ""
    p = _PAIRS
    for v in range(start, start + count):
        if v >> 20 != prefix_of:
            prefix_of, prefix = v >> 20, _format(v)[:22]
        ids.append(prefix + p[v >> 10 & 1023] + p[v & 1023])
    return ids


@contextmanager
def ids_from(factory: Callable[[], str]) -> Iterator[None]:
    """Take every new id from ``factory`` inside the block (seeded demo data); the default outside."""
    token = _factory.set(factory)
    try:
        yield
    finally:
        _factory.reset(token)
