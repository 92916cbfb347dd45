"""`keepword screen`: screen a customer file against the list, as a bank or bureau does."""

from __future__ import annotations

from pathlib import Path

import typer

from keepword.cli import app
from keepword.cli.common import console, friendly_errors


@app.command()
def screen(
    registry: Path | None = typer.Option(None, "--registry", exists=True, dir_okay=False,
                                         help="REGISTRY.csv: entry_id, kind, name, id_number, birth_date"),
    db: str | None = typer.Option(None, "--db", help="Screen against the registry database instead of a file: "
                                  "sqlite:///file.db or postgresql://user@host:port/db"),
    input: Path = typer.Option(..., "--input", exists=True, dir_okay=False,
                               help="RECORDS.csv: record_id, kind, name, id_number, birth_date"),
    output: Path = typer.Option(..., "--output", dir_okay=False,
                                help="RESULTS.csv: record_id, decision, entry_id, score, reason"),
    jobs: int | None = typer.Option(None, "--jobs", min=1,
                                    help="Processes screening in parallel (default: one per CPU; 1: no extra process)"),
) -> None:
    """Screen every record: match only on a valid listed identifier, review for name and birth date, never a name alone.

    Against a registry file (--registry) or the registry database as it is now (--db): give one of them.
    """
    from keepword.domain.errors import ValidationFailed
    from keepword.screening.bulk import run_screen

    with friendly_errors():
        if (registry is None) == (db is None):
            raise ValidationFailed("registry", "missing" if registry is None else "conflict",
                                   "give exactly one of --registry REGISTRY.csv or --db URL to screen against")
        summary = run_screen(registry, input, output, database_url=db, jobs=jobs)
        counts = ", ".join(f"{k}: {v:,}" for k, v in sorted(summary.decisions.items()))
        processes = f", {summary.jobs} processes" if summary.jobs > 1 else ""
        console.print(f"[green]screened[/] {summary.records:,} records in {summary.seconds:.1f} s{processes} "
                      f"({counts}) -> {output}")
