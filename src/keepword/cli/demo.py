"""`keepword demo`: fill a database with realistic synthetic enforcement data."""

from __future__ import annotations

from datetime import date

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy.exc import OperationalError

from keepword.cli import app
from keepword.cli.common import DbOption, console, friendly_errors, settings_with
from keepword.domain.errors import PermissionDenied, ValidationFailed
from keepword.domain.identifiers import china_today
from keepword.store.database import make_engine, migrate


def _parse_day(raw: str | None) -> date:
    if raw is None:
        return china_today()
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationFailed("as_of", f"{raw!r} is not a date (YYYY-MM-DD)") from None


@app.command()
def demo(
    db: str = DbOption,
    cases: int = typer.Option(2000, "--cases", min=1, help="How many enforcement cases to generate"),
    seed: int = typer.Option(1, "--seed", help="The same seed gives the same data (names, ids, amounts, dates)"),
    as_of: str = typer.Option(None, "--as-of", help="The demo's today, YYYY-MM-DD (default: today in China); "
                              "nothing happens after it"),
    reset: bool = typer.Option(False, "--reset", help="Empty every keepword table first: ALL data in it is lost"),
) -> None:
    """Fill the database with realistic synthetic data: courts, parties, cases, listings, restrictions."""
    from keepword.demo.accounts import create_demo_accounts
    from keepword.demo.loading import DemoRun, demo_context, prepare_database

    with friendly_errors():
        settings = settings_with(db)
        if settings.environment == "production":
            raise PermissionDenied("demo: refuses to run with KEEPWORD_ENVIRONMENT=production")
        day = _parse_day(as_of)
        engine = make_engine(settings.database_url)
        try:
            try:
                migrate(engine)
            except OperationalError as exc:
                raise ValidationFailed("db", f"cannot open {settings.database_url}: {exc.orig}") from None
            ctx = demo_context(engine, settings)
            run = DemoRun(ctx, cases=cases, seed=seed, as_of=day)
            prepare_database(engine, reset)
            columns = (TextColumn("[bold]demo cases"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       TimeRemainingColumn())
            with Progress(*columns, console=console, transient=False) as progress:
                task = progress.add_task("cases", total=cases)
                report = run.write(engine, progress=lambda n: progress.advance(task, n))
            accounts = create_demo_accounts(engine, settings)
        finally:
            engine.dispose()
        console.print(f"[green]demo ready[/]: {report.cases} cases, {report.parties} parties, {report.courts} courts "
                      f"as of {day.isoformat()} in {report.seconds:.1f} s ({report.cases_per_second:.0f} cases/s): "
                      f"{settings.database_url}")
        _print_accounts(accounts)


def _print_accounts(accounts) -> None:
    from rich.table import Table

    table = Table(title="demo accounts (development only)")
    for column in ("username", "password", "roles", "court"):
        table.add_column(column)
    for a in accounts:
        table.add_row(a.username, a.password, ", ".join(a.roles), a.court_id or "-")
    console.print(table)
