"""Write demo data: the courts with the first batch of cases, then batch after batch, each one unit of work."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, select, text

from keepword.audit.trail import AuditTrail
from keepword.bootstrap import build_context
from keepword.demo.generator import DemoGenerator
from keepword.demo.rows import DemoRows
from keepword.domain.cases import EnforcementCase
from keepword.domain.errors import AlreadyExists
from keepword.services.context import ServiceContext
from keepword.settings import Settings
from keepword.store import tables as t
from keepword.store.mapping import mapping_held_back

# Cases per unit of work. Each commit on SQLite appends every page it changed to the write-ahead log
# and checkpoints the log into the database file, so the index pages that every batch touches are
# written once per commit: 2,000 cases per commit wrote the demo faster than 500 (bench/demo_bench.py),
# for about 15 MB more memory per 1,000 cases held until their commit.
BATCH_SIZE = 2000


@dataclass(frozen=True)
class DemoReport:
    cases: int
    courts: int
    parties: int
    seconds: float

    @property
    def cases_per_second(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0


def demo_context(engine: Engine, settings: Settings | None = None) -> ServiceContext:
    """Services as the web app wires them (every event also goes to the audit log), under the SPC rules."""
    settings = settings or Settings()
    trail = AuditTrail(settings.secret_key, settings.audit_checkpoint_every)
    return build_context(engine, policy_id="cn-spc", hooks=(trail.hook,))


def registry_counts(engine: Engine) -> dict[str, int]:
    """How many courts, parties and cases the database holds."""
    with engine.connect() as conn:
        return {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (t.courts, t.parties, t.cases)}


def empty_registry(engine: Engine) -> None:
    """Delete every row of every keepword table, in one transaction."""
    names = [table.name for table in reversed(t.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
        else:
            for name in names:
                conn.execute(text(f'DELETE FROM "{name}"'))


def prepare_database(engine: Engine, reset: bool) -> None:
    """Refuse a database that holds data, unless ``reset``: then empty it."""
    held = registry_counts(engine)
    if any(held.values()) and not reset:
        raise AlreadyExists(
            f"database: it already holds {held['cases']} cases, {held['parties']} parties and {held['courts']} courts "
            "(an earlier demo?); pass --reset to empty it first, or choose another --db", field="database")
    if reset:
        empty_registry(engine)


class DemoRun:
    """A validated demo request: ``write`` generates the cases and stores them batch by batch.

    Every case is told through the domain (:mod:`keepword.demo.stories`); its rows then go straight
    to the driver (:class:`keepword.demo.rows.DemoRows`: multi-row ``INSERT`` statements on SQLite,
    ``COPY`` on PostgreSQL) in the unit of work's transaction, and its events through the unit of
    work, which writes their outbox rows and runs its before-commit hooks (the audit log).
    """

    def __init__(self, ctx: ServiceContext, *, cases: int, seed: int, as_of: date) -> None:
        self.ctx, self.count = ctx, cases
        self.generator = DemoGenerator(seed, as_of, ctx.policy)
        self.stories = self.generator.cases(cases)  # validates the count before anything is written

    def write(self, engine: Engine, batch_size: int = BATCH_SIZE,
              progress: Callable[[int], None] | None = None) -> DemoReport:
        """Write the courts and the cases in batches of ``batch_size``, one unit of work each."""
        started = time.perf_counter()
        prepare_database(engine, reset=False)
        rows = DemoRows(engine.dialect)
        rows.add_courts(court.court for court in self.generator.courts)
        # The units of work serve for their transaction, outbox and hooks only: the cases stay plain
        # objects, three times cheaper to build than mapped ones (unless this process mapped them already).
        with mapping_held_back(), _collector_paused():
            batch = []
            for case in self.stories:
                batch.append(case)
                if progress:
                    progress(1)
                if len(batch) >= batch_size:
                    self._write(rows, batch)
                    batch = []
            if batch:
                self._write(rows, batch)
        seconds = time.perf_counter() - started
        held = registry_counts(engine)
        return DemoReport(cases=held["cases"], courts=held["courts"], parties=held["parties"], seconds=seconds)

    def _write(self, rows: DemoRows, cases: list[EnforcementCase]) -> None:
        """One unit of work: the rows of ``cases`` (and of the courts, the first time), then their events.

        The events go to the unit of work in the order its ORM flush would give them (case by case, each
        case's in order), so the outbox and the audit chain are the same as for cases added one by one.
        """
        for case in cases:
            rows.add_case(case)
        with self.ctx.uow() as uow:
            rows.write(uow.session.connection())
            for case in cases:
                for event in case.events:
                    uow.record(event)
                case.events.clear()
            uow.commit()


@contextmanager
def _collector_paused() -> Iterator[None]:
    # A batch is tens of thousands of small objects that all live until it is written: the cyclic
    # collector's automatic passes over them find nothing to free and cost a quarter of the run.
    # Reference counting frees each batch once it is written.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_demo(ctx: ServiceContext, engine: Engine, *, cases: int, seed: int, as_of: date, reset: bool = False,
              batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None) -> DemoReport:
    """Generate ``cases`` demo cases and write them; refuses a database that holds data unless ``reset``."""
    run = DemoRun(ctx, cases=cases, seed=seed, as_of=as_of)
    prepare_database(engine, reset)
    return run.write(engine, batch_size, progress)
