"""``keepword import cases FILE``: register a court's batch of cases from CSV or XLSX."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from keepword.bootstrap import open_registry
from keepword.cli import app
from keepword.cli.common import DbOption, console, err_console, friendly_errors, settings_with
from keepword.importing.columns import require_columns
from keepword.importing.readers import open_table
from keepword.importing.sql_store import case_import_store
from keepword.services.imports import ImportReport, import_cases

import_app = typer.Typer(help="Import data in bulk.", no_args_is_help=True)
app.add_typer(import_app, name="import")

#: Errors shown in the table; the rest are counted.
SHOWN_ERRORS = 50


@import_app.command("cases")
def cases(
    file: Path = typer.Argument(..., help="CSV (UTF-8 or GB18030) or XLSX file; columns in docs/import.md",
                                exists=True, dir_okay=False, readable=True),
    db: str = DbOption,
    skip_invalid: bool = typer.Option(False, "--skip-invalid",
                                      help="Write the good rows and report the bad ones (default: write nothing "
                                           "when any row is bad)"),
    court: str = typer.Option(None, "--court", help="The court every row belongs to (the court_id column may "
                                                    "then be left out)"),
    by: str = typer.Option(None, "--by", help="The officer accountable for the registrations (default: your "
                                              "user name)"),
) -> None:
    """Register a batch of enforcement cases: every row is checked, then all are written in one transaction."""
    with friendly_errors():
        table = open_table(file)
        require_columns(table.header.columns, court_given=court is not None)
        if table.ignored_columns:
            err_console.print(f"[yellow]ignored columns[/]: {', '.join(table.ignored_columns)}")
        _, ctx = open_registry(settings=settings_with(db))
        with _progress() as progress:
            validated = progress.add_task("validated", total=table.estimated_rows)
            written = progress.add_task("written", total=table.estimated_rows)

            def advance(rows: int, imported: int) -> None:
                progress.update(validated, completed=rows)
                progress.update(written, completed=imported)

            report = import_cases(ctx, case_import_store, table.rows, by=by or getpass.getuser(),
                                  skip_invalid=skip_invalid, court_id=court, progress=advance)
    _print_report(report, skip_invalid)
    if report.rows == 0 or (report.errors and not report.imported):
        raise typer.Exit(1)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description:>9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console, transient=True)


def _print_report(report: ImportReport, skip_invalid: bool) -> None:
    if report.errors:
        table = Table(title=f"{report.bad_rows} bad row{'s' if report.bad_rows != 1 else ''}", title_justify="left")
        table.add_column("line", justify="right")
        table.add_column("field")
        table.add_column("reason", overflow="fold")
        for error in report.errors[:SHOWN_ERRORS]:
            table.add_row(str(error.line), error.field, error.reason)
        console.print(table)
        if len(report.errors) > SHOWN_ERRORS:
            console.print(f"... and {len(report.errors) - SHOWN_ERRORS} more errors")
    summary = f"rows {report.rows}, imported {report.imported}, skipped {report.skipped}"
    if report.rows == 0:
        console.print("[red]the file has no data rows[/]")
    elif report.errors and not skip_invalid:
        console.print(f"[red]nothing was written[/]: {summary}. Fix the rows above, or use --skip-invalid "
                      "to import the good rows only.")
    elif report.errors and not report.imported:
        console.print(f"[red]no row could be imported[/]: {summary}")
    elif report.errors:
        console.print(f"[yellow]imported the good rows[/]: {summary}")
    else:
        console.print(f"[green]imported[/]: {summary}")
