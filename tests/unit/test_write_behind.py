"""The writer thread of bulk imports: order, failures, and the interpreter's switch interval."""

from __future__ import annotations

import sys
import threading

import pytest

from keepword.store.write_behind import SWITCH_INTERVAL, WriteBehind


def test_writes_run_in_order_on_another_thread_and_wait_waits_for_them():
    behind, done = WriteBehind(), []
    gate = threading.Event()
    behind.start(lambda: (gate.wait(5), done.append(("first", threading.current_thread().name))))
    behind.start(lambda: done.append(("second", threading.current_thread().name)))
    assert done == []  # the caller went on while the first write waited
    gate.set()
    behind.wait()
    assert done == [("first", "keepword-write-behind"), ("second", "keepword-write-behind")]
    behind.close()


def test_a_failed_write_is_raised_by_wait_and_the_writes_after_it_do_not_run():
    behind, done = WriteBehind(), []

    def refused():
        raise LookupError("refused")

    behind.start(lambda: done.append(1))
    behind.start(refused)
    behind.start(lambda: done.append(3))
    with pytest.raises(LookupError, match="refused"):
        behind.wait()
    assert done == [1]
    behind.start(lambda: done.append(4))  # after the caller has heard of the failure, writes run again
    behind.wait()
    assert done == [1, 4]
    behind.close()


def test_close_ends_the_thread():
    behind, done = WriteBehind(), []
    behind.start(lambda: done.append(1))
    behind.wait()
    behind.close()
    assert done == [1]
    assert not any(thread.name == "keepword-write-behind" and thread.is_alive() for thread in threading.enumerate())


def test_the_switch_interval_is_shortened_while_writes_run_and_restored_after():
    before = sys.getswitchinterval()
    behind, seen = WriteBehind(), []
    behind.start(lambda: seen.append(sys.getswitchinterval()))
    behind.wait()
    assert seen == [min(before, SWITCH_INTERVAL)] and sys.getswitchinterval() == before
    behind.close()


def test_unthreaded_writes_run_at_once_and_report_failures_on_wait():
    behind, done = WriteBehind(threaded=False), []
    behind.start(lambda: done.append(threading.current_thread().name))
    assert done == [threading.current_thread().name]
    behind.start(lambda: 1 / 0)
    behind.start(lambda: done.append("skipped"))
    with pytest.raises(ZeroDivisionError):
        behind.wait()
    assert done == [threading.current_thread().name]
