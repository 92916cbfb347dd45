"""The demo writes its rows straight to the driver: the database must hold exactly what the units of work's
ORM flush writes for the same cases (every table, every column as stored, the outbox in order, the audit
chain with its hashes), on SQLite and PostgreSQL, in this process and in a fresh `keepword demo` process."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from itertools import islice
from pathlib import Path

from keepword.demo.generator import DemoGenerator
from keepword.demo.loading import demo_context, empty_registry, load_demo
from keepword.settings import Settings
from keepword.store import tables as t
from keepword.store.mapping import start_mappers

AS_OF = date(2026, 6, 30)
SEED, CASES = 11, 90
SECRET = "demo-writes-test-secret-0123456789"
REGISTRY = [table for table in t.metadata.sorted_tables if table.name not in ("users", "feed_sequence")]


def stored(engine) -> dict[str, list[tuple]]:
    """Every row of every registry table as the driver returns it; the outbox in order, without its random ids."""
    out = {}
    with engine.connect() as conn:
        for table in REGISTRY:
            names = [c.name for c in table.columns if not (table is t.outbox and c.name in ("seq", "event_id"))]
            order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
            columns = ", ".join(f'"{n}"' for n in names)
            out[table.name] = [tuple(row) for row in
                               conn.exec_driver_sql(f'SELECT {columns} FROM "{table.name}" ORDER BY {order}')]
    return out


def written_by_the_units_of_work(engine) -> dict[str, list[tuple]]:
    """The same demo added to units of work as domain objects and flushed by the ORM."""
    start_mappers()  # objects the ORM flushes must be made as mapped instances
    ctx = demo_context(engine, Settings(secret_key=SECRET))
    generator = DemoGenerator(SEED, AS_OF, ctx.policy)
    with ctx.uow() as uow:
        for court in generator.courts:
            uow.courts.add(court.court)
        uow.commit()
    stories = generator.cases(CASES)
    while batch := list(islice(stories, 40)):
        with ctx.uow() as uow:
            for case in batch:
                uow.cases.add(case)
            uow.commit()
    return stored(engine)


def test_the_demo_writes_what_the_units_of_work_would(engine):
    expected = written_by_the_units_of_work(engine)
    assert len(expected["cases"]) == CASES and expected["listings"] and expected["objections"]
    assert len(expected["audit_log"]) == len(expected["outbox"]) > CASES

    empty_registry(engine)
    load_demo(demo_context(engine, Settings(secret_key=SECRET)), engine, cases=CASES, seed=SEED, as_of=AS_OF,
              batch_size=35)
    assert stored(engine) == expected

    # `keepword demo` in its own process: the domain classes are never mapped there, the cases stay plain objects.
    empty_registry(engine)
    script = Path(sys.executable).with_name("keepword")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from keepword.cli import main; main()"]
    env = {**os.environ, "KEEPWORD_ENVIRONMENT": "development", "KEEPWORD_SECRET_KEY": SECRET}
    done = subprocess.run(command + ["demo", "--db", engine.url.render_as_string(hide_password=False), "--cases",
                                     str(CASES), "--seed", str(SEED), "--as-of", AS_OF.isoformat()],
                          capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    written = stored(engine)
    # After the demo the command creates the demo accounts, audited after the demo's entries.
    accounts = written["audit_log"][len(expected["audit_log"]):]
    assert accounts and {row[3] for row in accounts} == {"user.created"}, accounts
    written["audit_log"] = written["audit_log"][:len(expected["audit_log"])]
    written["audit_checkpoints"] = written["audit_checkpoints"][:len(expected["audit_checkpoints"])]
    assert written == expected
