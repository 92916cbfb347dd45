"""Screen a whole file of records: RECORDS.csv in, RESULTS.csv out, streamed a few hundred rows at a time.

RECORDS.csv: ``record_id, kind, name, id_number, birth_date`` (all but record_id may be empty).
RESULTS.csv: ``record_id, decision, entry_id, score, reason``, in the order of the input.

With ``jobs`` above 1 the index is built once and worker processes are forked
(``keepword.screening.bulk_workers``); the results are the same as with one process. The output
appears only when the whole file was screened.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat
from operator import add
from pathlib import Path
from typing import TextIO

from keepword.domain.errors import NotFound, ValidationFailed
from keepword.domain.identifiers import china_today
from keepword.screening.decide import (
    ID_NUMBER_NOT_LISTED,
    INVALID,
    PLAIN_PERSON_KINDS,
    Decision,
    ScreeningRecord,
    check,
    check_plain_id_number,
)
from keepword.screening.holder import LIVE_INDEX, IndexHolder
from keepword.screening.index import ScreeningIndex
from keepword.screening.record_batches import csv_field, field_batches

RESULT_COLUMNS = ("record_id", "decision", "entry_id", "score", "reason")
#: ``progress(records_done, bytes_done, bytes_total)``, called every few hundred records (with
#: worker processes, a few times a second) and at the end.
ProgressCallback = Callable[[int, int, int], None]
_PARALLEL_FROM_BYTES = 1 << 20  # with the default number of jobs, smaller files are screened in-process
_SCORE_TEXT = {0.0: "0.0", 100.0: "100.0"}


@dataclass
class ScreenSummary:
    """How a file screening went: records read, decisions by kind, seconds taken, processes used."""

    records: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    jobs: int = 1


def default_jobs() -> int:
    """The number of worker processes used when none is asked for: one per CPU."""
    return os.cpu_count() or 1


def screen_file(registry: str | Path | ScreeningIndex, input_csv: str | Path, output_csv: str | Path,
                progress: ProgressCallback | None = None, on: date | None = None,
                jobs: int | None = 1) -> ScreenSummary:
    """Screen every record of ``input_csv`` against ``registry`` (a REGISTRY.csv path or a
    built index) and write one result row per record to ``output_csv``.

    The input is streamed, never loaded whole. A row that cannot be read (a bad kind or birth
    date) gets an ``invalid`` result with the reason instead of stopping the run. ``jobs``: worker
    processes (``None``: one per CPU, in-process for small files; 1: in-process). If the run
    fails, no ``output_csv`` is left behind.
    """
    if jobs is not None and jobs < 1:
        raise ValidationFailed("jobs", "range", f"jobs: expected at least 1, got {jobs}")
    started = time.perf_counter()
    index = registry if isinstance(registry, ScreeningIndex) else ScreeningIndex.from_csv(registry)
    on = on or china_today()
    input_csv, output_csv = Path(input_csv), Path(output_csv)
    total_bytes = os.path.getsize(input_csv)
    header, data_start = _read_header(input_csv)
    if jobs is None:
        jobs = default_jobs() if total_bytes - data_start >= _PARALLEL_FROM_BYTES else 1
    if "fork" not in multiprocessing.get_all_start_methods():
        jobs = 1  # the index is shared by forking; without fork, screen in-process
    with tempfile.TemporaryDirectory(dir=output_csv.parent, prefix=f".{output_csv.name}.") as work:
        unfinished = Path(work) / "results.csv"
        if jobs == 1:
            summary = _screen_in_process(index, header, on, input_csv, data_start, unfinished, progress, total_bytes)
        else:
            from keepword.screening.bulk_workers import screen_in_workers

            summary = screen_in_workers(index, header, on, input_csv, data_start, unfinished, progress,
                                        total_bytes, jobs)
        os.replace(unfinished, output_csv)
    if progress is not None:
        progress(summary.records, total_bytes, total_bytes)
    summary.seconds = time.perf_counter() - started
    return summary


def _read_header(input_csv: Path) -> tuple[list[str], int]:
    """The lower-cased header and the byte offset where the data rows start."""
    with open(input_csv, "rb") as raw:
        lines = LineOffsets(raw)
        try:
            next(csv.reader(lines), None)
            data_start = lines.consumed
            lines.detach()
            raw.seek(0)
            text = raw.read(data_start).decode("utf-8-sig")
            header = [column.strip().lower() for column in next(csv.reader(io.StringIO(text, newline="")), [])]
        except (UnicodeDecodeError, csv.Error) as problem:
            raise ValidationFailed("input", "unreadable", f"input file: the header cannot be read: {problem}") from None
    if "record_id" not in header:
        raise ValidationFailed("record_id", "missing", "input file: the header needs a record_id column")
    return header, data_start


class LineOffsets:
    """The lines of a binary file split as ``newline=""`` splits them, counting the bytes read
    from where it stood: after a csv reader over them yields a row, ``consumed`` is where that
    row ends. Decoded as Latin-1 (one character per byte): quotes, commas and line ends are
    ASCII, and UTF-8 never uses ASCII bytes inside a character, so the rows split the same."""

    def __init__(self, raw: io.BufferedReader) -> None:
        self._text = io.TextIOWrapper(raw, encoding="latin-1", newline="")
        self.consumed = 0

    def __iter__(self) -> Iterator[str]:
        for line in self._text:
            self.consumed += len(line)
            yield line

    def detach(self) -> None:
        self._text.detach()


class _ByteRange(io.RawIOBase):
    """Bytes ``start`` to ``end`` of a file; ``on_read(count)`` hears of every read."""

    def __init__(self, path: Path, start: int, end: int, on_read: Callable[[int], None] | None = None) -> None:
        self._file = open(path, "rb", buffering=0)
        self._file.seek(start)
        self._left = end - start
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        view = memoryview(buffer)[: min(len(buffer), self._left)]
        count = self._file.readinto(view) or 0
        self._left -= count
        if self._on_read is not None and count:
            self._on_read(count)
        return count

    def close(self) -> None:
        self._file.close()
        super().close()


def text_range(path: Path, start: int, end: int, on_read: Callable[[int], None] | None = None) -> TextIO:
    """Bytes ``start`` to ``end`` of a UTF-8 file as text, line ends as written (for csv)."""
    return io.TextIOWrapper(io.BufferedReader(_ByteRange(path, start, end, on_read), 1 << 16),
                            encoding="utf-8", newline="")


def _screen_in_process(index: ScreeningIndex, header: list[str], on: date, input_csv: Path, data_start: int,
                       output: Path, progress: ProgressCallback | None, total_bytes: int) -> ScreenSummary:
    summary = ScreenSummary()
    bytes_read = [data_start]

    def count_bytes(count: int) -> None:
        bytes_read[0] += count

    def tick(records: int) -> None:
        if progress is not None:
            progress(records, bytes_read[0], total_bytes)

    with text_range(input_csv, data_start, total_bytes, count_bytes) as rows, \
            open(output, "w", newline="", encoding="utf-8") as out, readable_input():
        csv.writer(out).writerow(RESULT_COLUMNS)
        screen_rows(index, header, on, rows, out, summary, tick)
    return summary


@contextmanager
def readable_input() -> Iterator[None]:
    """Turn an undecodable or unparsable input into a clear error."""
    try:
        yield
    except (UnicodeDecodeError, csv.Error) as problem:
        raise ValidationFailed("input", "unreadable", f"input file: {problem}") from None


def screen_rows(index: ScreeningIndex, header: list[str], on: date, text: TextIO, out: TextIO,
                 summary: ScreenSummary, tick: Callable[[int], None]) -> None:
    """Screen the data rows of RECORDS.csv read from ``text`` and write their result rows to ``out``.

    A batch of a few hundred rows at a time: read, screened, and written as one string. The
    valid ID numbers not on the list among the batch's plain ID-number records (most records,
    as a rule) are found at once (:func:`keepword.screening.plain_ids.unlisted_rows`) and take a
    result row made once; every other row is screened on its own, as before.
    """
    from keepword.screening import plain_ids  # numpy: loaded to screen a file, not to build or serve an index

    at = {name: i for i, name in enumerate(header)}  # a repeated column: the last one counts, as in a dict
    width, record_at = len(header), at["record_id"]
    kind_at, name_at, id_at, birth_at = (at.get(name) for name in ("kind", "name", "id_number", "birth_date"))
    decisions, records, not_listed_count = summary.decisions, summary.records, 0
    check_plain = check_plain_id_number  # looked up once per run (tests replace it to make a worker fail)
    not_listed, not_listed_tail = ID_NUMBER_NOT_LISTED, _result_tail(ID_NUMBER_NOT_LISTED)

    def screen_one(fields: list[str]) -> tuple[Decision, str]:
        if len(fields) >= width and id_at is not None and fields[id_at] \
                and (kind_at is None or fields[kind_at] in PLAIN_PERSON_KINDS) \
                and (birth_at is None or not fields[birth_at].strip()):
            name = fields[name_at].strip() if name_at is not None else ""
            decision = check_plain(index, fields[id_at].strip(), name, on)
            if decision is not None:
                return decision, fields[record_at]
        row = dict(zip(header, fields))
        return _screen_row(index, row, on), row.get("record_id", "")

    for batch in field_batches(text):
        plain_lines, count = batch.plain, len(batch)
        # With people on the list without an ID number, a record's name may still match one of them.
        names_matter = name_at if index.unkeyed_persons else None
        unlisted = plain_ids.unlisted_rows(index, batch, width, id_at, kind_at, birth_at, names_matter)
        record_ids = batch.column(record_at, width)
        # From a line without a quote character no field holds a comma, a quote or a line break.
        if not plain_lines:
            record_ids = list(map(csv_field, record_ids))
        lines = list(map(add, record_ids, repeat(not_listed_tail, count)))
        others = range(count) if unlisted is None else (~unlisted).nonzero()[0].tolist()
        not_listed_count += count - len(others)
        for position in others:
            decision, record_id = screen_one(batch.row(position))
            if decision is not_listed:
                tail = not_listed_tail
                not_listed_count += 1
            else:
                tail = _result_tail(decision)
                decisions[decision.decision] += 1
            lines[position] = (record_id if plain_lines else csv_field(record_id)) + tail
        out.write("".join(lines))
        records += count
        summary.records = records
        tick(records)
    if not_listed_count:
        decisions[not_listed.decision] += not_listed_count


def _result_tail(decision: Decision) -> str:
    """A result row after its record_id, as ``csv.writer`` writes it: ``,decision,entry_id,score,reason``."""
    score = decision.score
    fields = (decision.decision, decision.entry_id, _SCORE_TEXT.get(score) or f"{score:.1f}", decision.reason)
    return "," + ",".join(map(csv_field, fields)) + "\r\n"


def _screen_row(index: ScreeningIndex, row: dict[str, str], on: date) -> Decision:
    try:
        record = ScreeningRecord.from_row(row)
    except ValidationFailed as problem:
        return Decision(INVALID, "", 0.0, str(problem), f"invalid_{problem.field}")
    return check(index, record, on)


def run_screen(registry: Path | None, input: Path, output: Path, progress: bool = True,
               holder: IndexHolder | None = None, database_url: str | None = None,
               jobs: int | None = None) -> ScreenSummary:
    """Screen ``input`` into ``output`` with a rich progress bar (for the ``screen`` command).

    ``registry`` is a REGISTRY.csv to build the index from; ``database_url`` builds it from the
    live database instead (one or the other, not both); with neither, the live index of
    ``holder`` (default :data:`LIVE_INDEX`) is used, and ``NotFound`` raised if none was loaded.
    ``jobs``: worker processes, as for :func:`screen_file` (``None``: one per CPU).
    """
    from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TimeRemainingColumn

    if registry is not None and database_url is not None:
        raise ValidationFailed("registry", "conflict", "give either a registry file or a database to screen against, not both")
    on = china_today()
    if database_url is not None:
        index = _index_from_database(database_url, on, progress)
    elif registry is None:
        live = holder or LIVE_INDEX
        if not live.loaded:
            raise NotFound("no registry file given and no live screening index loaded")
        index = live.current
    else:
        index = None
    if index is None:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), disable=not progress,
                      transient=False) as bar:
            building = bar.add_task(f"indexing {registry.name}", total=None)
            index = ScreeningIndex.from_csv(registry)
            bar.update(building, total=1, completed=1, description=f"indexed {len(index):,} entries")
    # Refreshed by the callback, not by a thread of its own: worker processes are forked meanwhile.
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                  TimeRemainingColumn(), disable=not progress, transient=False, auto_refresh=False) as bar:
        task = bar.add_task(f"screening {input.name}", total=os.path.getsize(input))

        shown = [0.0]

        def advance(records: int, done: int, total: int) -> None:
            now = time.monotonic()
            if now - shown[0] >= 0.1 or done >= total:  # at most ten redraws a second
                shown[0] = now
                bar.update(task, completed=done, description=f"screening {input.name}: {records:,} records",
                           refresh=True)

        return screen_file(index, input, output, progress=advance, on=on, jobs=jobs)


def _index_from_database(database_url: str, on: date, progress: bool) -> ScreeningIndex:
    """Build the index from the registry database, with a progress bar counting entries."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeRemainingColumn
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from keepword.screening.registry_source import build_index_from_db
    from keepword.store.database import is_initialised, make_engine, normalize_url

    engine = make_engine(database_url, pool=False)
    shown = make_url(normalize_url(database_url)).render_as_string(hide_password=True)
    try:
        try:
            initialised = is_initialised(engine)
        except OperationalError as problem:
            reason = str(problem.orig).strip().splitlines()[0] if problem.orig else "no answer"
            raise ValidationFailed("db", "unreachable", f"--db: cannot open {shown}: {reason}") from None
        if not initialised:
            raise NotFound(f"--db: no keepword registry in {shown}; run `keepword init` (or `keepword demo`) first")
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), disable=not progress, transient=False) as bar:
            building = bar.add_task("indexing the registry database", total=None)

            def advance(done: int, total: int) -> None:
                bar.update(building, completed=done, total=total)

            index, position = build_index_from_db(engine, on=on, progress=advance)
            bar.update(building, description=f"indexed {len(index):,} entries (feed position {position:,})")
        return index
    finally:
        engine.dispose()
