"""Running a coroutine from a test, whatever the thread's state: a browser test earlier in the session can
leave an event loop running in this thread, where ``asyncio.run`` refuses to start another."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor


def run_coroutine(coroutine):
    """``asyncio.run(coroutine)`` on a thread of its own; its result, or its exception raised here."""
    with ThreadPoolExecutor(1, thread_name_prefix="test-loop") as pool:
        return pool.submit(asyncio.run, coroutine).result()
