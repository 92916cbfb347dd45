"""Registry housekeeping: init, tick."""

from __future__ import annotations

import json

import typer

from keepword.bootstrap import open_registry
from keepword.cli import app
from keepword.cli.common import DbOption, console, friendly_errors, settings_with
from keepword.services.tick import tick as run_tick


@app.command()
def init(db: str = DbOption) -> None:
    """Create or upgrade the database schema (runs the migrations)."""
    with friendly_errors():
        settings = settings_with(db)
        open_registry(settings=settings)
        console.print(f"[green]ready[/]: {settings.database_url}")


@app.command()
def tick(db: str = DbOption, as_json: bool = typer.Option(False, "--json", help="Print the report as JSON")) -> None:
    """Publish listings whose grace period ended, expire terms and carry out deletions that are due."""
    with friendly_errors():
        _, ctx = open_registry(settings=settings_with(db))
        report = run_tick(ctx).as_dict()
        console.print_json(json.dumps(report)) if as_json else console.print(report)
