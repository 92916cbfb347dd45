"""Screen a whole file of records: RECORDS.csv in, RESULTS.csv out, streamed row by row.

RECORDS.csv: ``record_id, kind, name, id_number, birth_date`` (all but record_id may be empty).
RESULTS.csv: ``record_id, decision, entry_id, score, reason``.
"""

from __future__ import annotations

import csv
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

from keepword.domain.errors import NotFound, ValidationFailed
from keepword.domain.identifiers import china_today
from keepword.screening.decide import INVALID, Decision, ScreeningRecord, check
from keepword.screening.holder import LIVE_INDEX, IndexHolder
from keepword.screening.index import ScreeningIndex

RESULT_COLUMNS = ("record_id", "decision", "entry_id", "score", "reason")
#: ``progress(records_done, bytes_done, bytes_total)``, called every few hundred records and at the end.
ProgressCallback = Callable[[int, int, int], None]
_PROGRESS_EVERY = 500


@dataclass
class ScreenSummary:
    """How a file screening went: records read, decisions by kind, seconds taken."""

    records: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def screen_file(registry: str | Path | ScreeningIndex, input_csv: str | Path, output_csv: str | Path,
                progress: ProgressCallback | None = None, on: date | None = None) -> ScreenSummary:
    """Screen every record of ``input_csv`` against ``registry`` (a REGISTRY.csv path or a
    built index) and write one result row per record to ``output_csv``.

    The input is streamed, never loaded whole. A row that cannot be read (a bad kind or birth
    date) gets an ``invalid`` result with the reason instead of stopping the run.
    """
    started = time.perf_counter()
    index = registry if isinstance(registry, ScreeningIndex) else ScreeningIndex.from_csv(registry)
    on = on or china_today()
    total_bytes = os.path.getsize(input_csv)
    summary = ScreenSummary()
    bytes_read = [0]
    with open(input_csv, "rb") as raw, open(output_csv, "w", newline="", encoding="utf-8") as out:
        reader = csv.reader(_counted_lines(raw, bytes_read))
        header = [column.strip().lower() for column in next(reader, [])]
        if "record_id" not in header:
            raise ValidationFailed("record_id", "missing", "input file: the header needs a record_id column")
        writer = csv.writer(out)
        writer.writerow(RESULT_COLUMNS)
        for fields in reader:
            if not fields:
                continue
            row = dict(zip(header, fields))
            decision = _screen_row(index, row, on)
            writer.writerow((row.get("record_id", ""), decision.decision, decision.entry_id,
                             f"{decision.score:.1f}", decision.reason))
            summary.records += 1
            summary.decisions[decision.decision] += 1
            if progress is not None and summary.records % _PROGRESS_EVERY == 0:
                progress(summary.records, bytes_read[0], total_bytes)
    if progress is not None:
        progress(summary.records, total_bytes, total_bytes)
    summary.seconds = time.perf_counter() - started
    return summary


def _screen_row(index: ScreeningIndex, row: dict[str, str], on: date) -> Decision:
    try:
        record = ScreeningRecord.from_row(row)
    except ValidationFailed as problem:
        return Decision(INVALID, "", 0.0, str(problem), f"invalid_{problem.field}")
    return check(index, record, on)


def _counted_lines(raw: BinaryIO, bytes_read: list[int]) -> Iterator[str]:
    """Decode a binary file line by line (UTF-8, BOM dropped), counting bytes for progress."""
    first = True
    for line in raw:
        bytes_read[0] += len(line)
        yield line.decode("utf-8-sig" if first else "utf-8")
        first = False


def run_screen(registry: Path | None, input: Path, output: Path, progress: bool = True,
               holder: IndexHolder | None = None, database_url: str | None = None) -> ScreenSummary:
    """Screen ``input`` into ``output`` with a rich progress bar (for the ``screen`` command).

    ``registry`` is a REGISTRY.csv to build the index from; ``database_url`` builds it from the
    live database instead (one or the other, not both); with neither, the live index of
    ``holder`` (default :data:`LIVE_INDEX`) is used, and ``NotFound`` raised if none was loaded.
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
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                  TimeRemainingColumn(), disable=not progress, transient=False) as bar:
        if index is None:
            building = bar.add_task(f"indexing {registry.name}", total=None)
            index = ScreeningIndex.from_csv(registry)
            bar.update(building, total=1, completed=1, description=f"indexed {len(index):,} entries")
        task = bar.add_task(f"screening {input.name}", total=os.path.getsize(input))

        def advance(records: int, done: int, total: int) -> None:
            bar.update(task, completed=done, description=f"screening {input.name}: {records:,} records")

        return screen_file(index, input, output, progress=advance, on=on)


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
