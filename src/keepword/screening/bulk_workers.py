"""Screening one file in several worker processes (``keepword.screening.bulk.screen_file`` with ``jobs`` above 1).

The index is built once and the workers are forked: it is shared copy-on-write, never copied or
pickled. Each worker screens a contiguous byte range of the input that starts and ends on a row
boundary (found by parsing, so quoted fields with commas or line breaks stay whole) into a part
file, and the parts are joined in input order: the results are the same as with one process.
"""

from __future__ import annotations

import csv
import gc
import io
import multiprocessing
import shutil
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from keepword.domain.errors import KeepwordError, ValidationFailed
from keepword.screening.bulk import (RESULT_COLUMNS, LineOffsets, ProgressCallback, ScreenSummary, readable_input,
                                     screen_rows, text_range)
from keepword.screening.index import ScreeningIndex

_PARTS_PER_JOB = 4  # smaller ranges even out workers slowed by other load
_POLL_SECONDS = 0.2


@dataclass
class _SharedWork:
    """What forked workers inherit from the parent: the index and the shared progress counters."""

    index: ScreeningIndex
    header: list[str]
    on: date
    input_csv: Path
    records_done: object  # multiprocessing.Value("q")
    bytes_done: object


_WORK: _SharedWork | None = None  # set in the parent just before forking


def screen_in_workers(index: ScreeningIndex, header: list[str], on: date, input_csv: Path, data_start: int,
                       output: Path, progress: ProgressCallback | None, total_bytes: int, jobs: int) -> ScreenSummary:
    global _WORK
    from keepword.screening import plain_ids  # noqa: F401  (numpy: loaded once here, not in every worker)

    boundaries = _row_boundaries(input_csv, data_start, total_bytes, jobs * _PARTS_PER_JOB)
    ranges = [(start, end) for start, end in zip(boundaries, boundaries[1:]) if end > start]
    context = multiprocessing.get_context("fork")
    records_done, bytes_done = context.Value("q", 0), context.Value("q", data_start)
    _WORK = _SharedWork(index, header, on, input_csv, records_done, bytes_done)
    parts = [output.with_name(f"part-{number:05d}.csv") for number in range(len(ranges))]
    summary = ScreenSummary(jobs=jobs)
    # Objects alive now are left out of the workers' garbage collection: scanning them would
    # write to (and so copy) every page of the index shared copy-on-write.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, max(len(ranges), 1)), mp_context=context) as pool:
            futures = [pool.submit(_screen_part, start, end, part) for (start, end), part in zip(ranges, parts)]
            pending = set(futures)
            while pending:
                _, pending = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_EXCEPTION)
                if any(future.done() and future.exception() is not None for future in futures):
                    for future in pending:
                        future.cancel()
                    break
                if progress is not None:
                    progress(records_done.value, bytes_done.value, total_bytes)
            for future in futures:
                if future.cancelled():
                    continue
                _raise_worker_failure(future.exception())
                records, decisions = future.result()
                summary.records += records
                summary.decisions.update(decisions)
    finally:
        _WORK = None
        gc.unfreeze()
    with open(output, "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerow(RESULT_COLUMNS)
    with open(output, "ab") as out:
        for part in parts:
            with open(part, "rb") as piece:
                shutil.copyfileobj(piece, out, 1 << 20)
            part.unlink()
    return summary


class _WorkerFailed(Exception):
    """How a worker reports a failure: ``(field, reason, message)`` of a ``ValidationFailed``, or
    ``("", "", message)``; plain arguments, so it crosses the process boundary intact."""


def _raise_worker_failure(problem: BaseException | None) -> None:
    if problem is None:
        return
    if isinstance(problem, _WorkerFailed):
        field_name, reason, message = problem.args
        if field_name:
            raise ValidationFailed(field_name, reason, message)
        raise KeepwordError(f"screening stopped: a worker process failed: {message}")
    if isinstance(problem, BrokenProcessPool):
        raise KeepwordError("screening stopped: a worker process died (out of memory?); try fewer --jobs") from None
    raise KeepwordError(f"screening stopped: a worker process failed: {type(problem).__name__}: {problem}") from None


def _screen_part(start: int, end: int, part: Path) -> tuple[int, dict[str, int]]:
    """In a worker: screen the rows in bytes ``start`` to ``end`` of the input into ``part``."""
    work = _WORK
    assert work is not None, "a screening worker runs in a process forked by _screen_in_workers"
    summary = ScreenSummary()
    reported = [0]

    def count_bytes(count: int) -> None:
        with work.bytes_done.get_lock():
            work.bytes_done.value += count

    def tick(records: int) -> None:
        with work.records_done.get_lock():
            work.records_done.value += records - reported[0]
        reported[0] = records

    try:
        with text_range(work.input_csv, start, end, count_bytes) as rows, \
                open(part, "w", newline="", encoding="utf-8") as out, readable_input():
            screen_rows(work.index, work.header, work.on, rows, out, summary, tick)
    except ValidationFailed as problem:
        raise _WorkerFailed(problem.field, problem.reason, problem.message) from None
    except Exception as problem:
        raise _WorkerFailed("", "", f"{type(problem).__name__}: {problem}") from None
    tick(summary.records)
    return summary.records, dict(summary.decisions)


def _row_boundaries(input_csv: Path, data_start: int, total_bytes: int, parts: int) -> list[int]:
    """Byte offsets, from ``data_start`` to ``total_bytes``, where rows start: about ``parts``
    ranges of equal size. Without a quote character in the file every line is a row; with one,
    the rows are found by parsing (a quoted field may hold line breaks)."""
    size = total_bytes - data_start
    targets = [data_start + size * k // parts for k in range(1, parts)]
    boundaries = [data_start]
    with open(input_csv, "rb") as raw:
        raw.seek(data_start)
        if not _has_quote(raw):
            for target in targets:
                raw.seek(max(target - 1, data_start))
                raw.readline()  # to the end of the line holding the byte before the target
                boundaries.append(raw.tell())
        else:
            raw.seek(data_start)
            lines = LineOffsets(raw)
            pending = iter(targets)
            target = next(pending, None)
            with readable_input():
                for _ in csv.reader(lines):
                    while target is not None and data_start + lines.consumed >= target:
                        boundaries.append(data_start + lines.consumed)
                        target = next(pending, None)
                    if target is None:
                        break
    boundaries.append(total_bytes)
    return sorted(set(min(b, total_bytes) for b in boundaries))


def _has_quote(raw: io.BufferedReader) -> bool:
    while chunk := raw.read(1 << 20):
        if b'"' in chunk:
            return True
    return False
