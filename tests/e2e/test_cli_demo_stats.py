"""`keepword demo` then `keepword stats`, as a user types them, on SQLite and on a fresh PostgreSQL database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from keepword.cli import _load_commands, app

KEYS = {"cases", "open", "fulfilled", "listed_active", "deleted", "enforcement_rate"}
PLAIN_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def keepword(*args: str) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("keepword")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from keepword.cli import main; main()"]
    env = {**os.environ, "KEEPWORD_ENVIRONMENT": "development", "COLUMNS": "120"}
    return subprocess.run(command + list(args), capture_output=True, text=True, timeout=600, env=env)


def in_process(*args: str) -> subprocess.CompletedProcess:
    """The same command through typer's runner: no interpreter start-up."""
    _load_commands()
    result = CliRunner().invoke(app, list(args))
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def demo_then_stats(url: str, run=keepword) -> dict:
    made = run("demo", "--db", url, "--cases", "200", "--seed", "1")
    assert made.returncode == 0, made.stderr
    assert "demo ready" in made.stdout and "200 cases" in made.stdout
    shown = run("stats", "--db", url, "--json")
    assert shown.returncode == 0, shown.stderr
    stats = json.loads(shown.stdout)
    assert KEYS <= stats.keys()
    assert stats["cases"] == 200 == stats["open"] + stats["closed"]
    assert 0 < stats["enforcement_rate"] < 1 and stats["listed_active"] > 0 and stats["deleted"] > 0
    return stats


def test_demo_then_stats_json_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    stats = demo_then_stats(url)

    runner = CliRunner()
    _load_commands()  # the rest in process: start-up is what the two commands above already covered
    again = runner.invoke(app, ["demo", "--db", url, "--cases", "5"])
    assert again.exit_code == 1 and "--reset" in again.output and "200 cases" in again.output
    view = runner.invoke(app, ["stats", "--db", url, "--by-court"])
    assert view.exit_code == 0, view.output
    assert "enforcement rate" in view.output and "Cases by outcome" in view.output and "█" in view.output
    assert "杭州市上城区人民法院" in view.output or "By court" in view.output
    reset = runner.invoke(app, ["demo", "--db", url, "--cases", "30", "--seed", "2", "--reset"])
    assert reset.exit_code == 0, reset.output
    after = json.loads(runner.invoke(app, ["stats", "--db", url, "--json"]).output)
    assert after["cases"] == 30 != stats["cases"]


def test_bad_input_is_named_and_nothing_is_written(tmp_path):
    url = f"sqlite:///{tmp_path / 'bad.db'}"
    runner = CliRunner()
    _load_commands()
    bad_day = runner.invoke(app, ["demo", "--db", url, "--cases", "5", "--as-of", "2040-01-01"])
    assert bad_day.exit_code == 1 and "as_of" in bad_day.output
    no_cases = runner.invoke(app, ["demo", "--db", url, "--cases", "0"])
    assert no_cases.exit_code != 0 and "--cases" in no_cases.output
    stats = json.loads(runner.invoke(app, ["stats", "--db", url, "--json"]).output)
    assert stats["cases"] == 0
    missing = runner.invoke(app, ["stats", "--db", f"sqlite:///{tmp_path / 'none.db'}"])
    assert missing.exit_code == 1 and "keepword init" in missing.output
    assert not (tmp_path / "none.db").exists()


def _admin_url() -> str | None:
    url = os.environ.get("KEEPWORD_TEST_POSTGRES_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return PLAIN_PG
    except OSError:
        return None


@pytest.mark.postgres
def test_demo_then_stats_json_on_a_fresh_postgresql_database():
    admin = _admin_url()
    if admin is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is required in CI but none answers (set KEEPWORD_TEST_POSTGRES_URL)")
        pytest.skip("no PostgreSQL server")
    name = f"keepword_e2e_{uuid.uuid4().hex[:10]}"
    # The URL exactly as a psql user writes it: postgresql://postgres@127.0.0.1:5432/NAME
    plain = f"{admin.rsplit('/', 1)[0]}/{name}"
    engine = create_engine(admin.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        demo_then_stats(plain, run=in_process)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
