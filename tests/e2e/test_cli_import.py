"""`keepword import cases FILE` as an officer runs it: exit codes, the error table, what lands in the registry."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import keepword.cli.imports  # noqa: F401  (registers `keepword import`)
from keepword.bootstrap import open_registry
from keepword.cli import app
from keepword.domain.courts import Court
from keepword.domain.identifiers import make_id_number
from keepword.importing.samples import sample_rows, write_csv
from keepword.store import tables as t

DATA = Path(__file__).parent.parent / "data" / "import"
WIDE = {"COLUMNS": "200", "KEEPWORD_ENVIRONMENT": "development"}


@pytest.fixture
def db(ctx, engine) -> str:
    """The URL of the test database, where the ``ctx`` fixture registered court 330102."""
    return engine.url.render_as_string(hide_password=False)


def keepword(*args: str):
    result = CliRunner().invoke(app, list(args), env=WIDE)
    return result.exit_code, result.output


def cases_in(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.cases)).scalar_one()


def test_a_good_gb18030_file_is_imported_and_exits_0(db, engine):
    code, output = keepword("import", "cases", str(DATA / "cases_gb18030.csv"), "--db", db)
    assert code == 0, output
    assert "imported: rows 5, imported 5, skipped 0" in output
    assert cases_in(engine) == 5


def test_a_bad_row_writes_nothing_exits_1_and_names_line_field_and_reason(db, engine, tmp_path):
    rows = sample_rows(40, seed=21)
    rows[29].update(debtor_kind="person", debtor_id=make_id_number("110101", date(1990, 3, 7), 5)[:17] + "0",
                    debtor_legal_representative="", debtor_legal_representative_id="")
    path = write_csv(tmp_path / "batch.csv", rows)
    code, output = keepword("import", "cases", str(path), "--db", db)
    assert code == 1
    assert "1 bad row" in output and "│   31 │ debtor_id │ check character should be" in output
    assert "nothing was written: rows 40, imported 0, skipped 40" in output and "--skip-invalid" in output
    assert cases_in(engine) == 0
    code, output = keepword("import", "cases", str(path), "--db", db, "--skip-invalid")
    assert code == 0 and "imported the good rows: rows 40, imported 39, skipped 1" in output
    assert cases_in(engine) == 39


def test_the_error_table_shows_the_first_50_errors_and_counts_the_rest(db, tmp_path):
    rows = sample_rows(60, seed=22)
    for row in rows:
        row["amount"] = "-1"
    code, output = keepword("import", "cases", str(write_csv(tmp_path / "all_bad.csv", rows)), "--db", db)
    assert code == 1
    assert "60 bad rows" in output and output.count("is negative") == 50 and "... and 10 more errors" in output


def test_a_file_for_one_court_may_leave_out_the_court_column_and_names_the_officer(db, engine, tmp_path):
    rows = sample_rows(3, seed=23)
    for row in rows:
        del row["court_id"]
    path = tmp_path / "no_court.csv"
    write_csv(path, rows)
    code, output = keepword("import", "cases", str(path), "--db", db)
    assert code == 1 and "missing required column: court_id (法院代码)" in output
    code, output = keepword("import", "cases", str(path), "--db", db, "--court", "330102", "--by", "officer:wang")
    assert code == 0, output
    with engine.connect() as conn:
        actors = set(conn.scalars(select(t.outbox.c.actor)))
    assert actors == {"officer:wang"}


def test_an_unknown_court_or_an_unreadable_file_exits_1_with_one_clear_line(db, tmp_path):
    code, output = keepword("import", "cases", str(DATA / "cases.csv"), "--db", db, "--court", "110000")
    assert code == 1 and "no court 110000 is registered" in output
    junk = tmp_path / "notes.csv"
    junk.write_text("just,some\nnotes,here\n", encoding="utf-8")
    code, output = keepword("import", "cases", str(junk), "--db", db)
    assert code == 1 and "no header row" in output


def test_the_installed_command_exits_1_when_a_row_is_bad(tmp_path):
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    engine, ctx = open_registry(url)
    with ctx.uow() as uow:
        uow.courts.add(Court(id="330102", name="杭州市上城区人民法院", province="浙江", level="basic"))
        uow.commit()
    script = Path(sys.executable).with_name("keepword")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from keepword.cli import main; main()"]
    rows = sample_rows(2, seed=24)
    rows[1]["filed_on"] = "2023/02/30"
    run = subprocess.run(command + ["import", "cases", str(write_csv(tmp_path / "bad.csv", rows)), "--db", url],
                         capture_output=True, text=True, timeout=300, env={**os.environ, **WIDE})
    assert run.returncode == 1, run.stdout + run.stderr
    assert "│    3 │ filed_on │ '2023/02/30' is not a real date" in run.stdout
    assert cases_in(engine) == 0
    engine.dispose()
