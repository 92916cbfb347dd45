"""`keepword stats`: enforcement statistics as a table and a bar chart, or as JSON."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import typer
from rich import box
from rich.cells import cell_len
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from keepword.cli import app
from keepword.cli.common import DbOption, console, friendly_errors, settings_with
from keepword.domain.errors import NotFound, ValidationFailed
from keepword.stats.charts import court_rate_series, listing_series, outcome_series
from keepword.stats.enforcement import court_subtree_ids, enforcement_stats, enforcement_stats_by_court
from keepword.store.database import is_initialised, make_engine, normalize_url

_BLOCKS = " ▏▎▍▌▋▊▉█"


@app.command()
def stats(
    db: str = DbOption,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of the table and chart"),
    by_court: bool = typer.Option(False, "--by-court", help="Add a row per court"),
    court: str = typer.Option(None, "--court", help="Only this court and the courts below it (e.g. 330000)"),
    as_of: str = typer.Option(None, "--as-of",
                              help="Count deadlines as of this day, YYYY-MM-DD (default: today in China)"),
) -> None:
    """Enforcement statistics: cases by outcome, enforcement rate, listings, deletions and their deadlines."""
    with friendly_errors():
        today = _parse_day(as_of)
        settings = settings_with(db)
        _require_sqlite_file(settings.database_url)
        engine = make_engine(settings.database_url)
        try:
            result = _collect(engine, court, today, by_court)
        except OperationalError as exc:
            raise ValidationFailed("db", f"cannot read {settings.database_url}: {exc.orig}") from None
        finally:
            engine.dispose()
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            _print(result)


def _require_sqlite_file(url: str) -> None:
    # Reading statistics must not leave an empty database file behind.
    real = make_url(normalize_url(url))
    if real.get_backend_name() == "sqlite" and real.database not in (None, "", ":memory:"):
        if not Path(real.database).exists():
            raise NotFound(f"database: no file {real.database}; run `keepword init` (or `keepword demo`) first")


def _parse_day(raw: str | None) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationFailed("as_of", f"{raw!r} is not a date (YYYY-MM-DD)") from None


def _collect(engine, court: str | None, today: date | None, by_court: bool) -> dict:
    if not is_initialised(engine):
        raise NotFound("database: no keepword schema here; run `keepword init` (or `keepword demo`) first")
    court_ids = None
    if court:
        court_ids = court_subtree_ids(engine, court.strip())
        if not court_ids:
            raise NotFound(f"court: no court {court!r}")
    result = enforcement_stats(engine, court_ids, today)
    if by_court:
        result["courts"] = enforcement_stats_by_court(engine, court_ids, today)
    return result


# ---- the terminal view ------------------------------------------------------------------------------
def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _amount(value: str, currency: str | None) -> str:
    return f"{Decimal(value):,.2f} {currency or ''}".strip()


def _summary_table(s: dict) -> Table:
    table = Table(title=f"Enforcement statistics as of {s['as_of']}", show_header=True, header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [
        ("cases", f"{s['cases']:,}"), ("open", f"{s['open']:,}"), ("closed", f"{s['closed']:,}"),
        ("fulfilled", f"{s['fulfilled']:,}"), ("settled", f"{s['settled']:,}"),
        ("enforcement rate", _percent(s["enforcement_rate"])),
        ("paid", _amount(s["paid_total"], s["currency"])),
        ("outstanding (open cases)", _amount(s["outstanding_total"], s["currency"])),
        ("listed, in force", f"{s['listed_active']:,}"), ("published", f"{s['published']:,}"),
        ("deleted", f"{s['deleted']:,}"), ("revoked", f"{s['revoked']:,}"),
        ("deletions on time", _percent(s["deletion_deadline_compliance"])),
        ("overdue deletions", f"{s['overdue_deletions']:,}"),
        ("restricted, active", f"{s['restricted_active']:,}"), ("objections open", f"{s['objections_open']:,}"),
    ]
    for name, value in rows:
        style = "bold red" if name == "overdue deletions" and s["overdue_deletions"] else None
        table.add_row(name, value, style=style)
    return table


def _bar(value: float, top: float, width: int) -> str:
    if top <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / top * width * 8))
    return "█" * (eighths // 8) + (_BLOCKS[eighths % 8] if eighths % 8 else "")


def bar_chart(title: str, series: list[tuple[str, float]], as_percent: bool = False) -> Table:
    """A horizontal bar chart drawn with block characters, as wide as the terminal allows."""
    top = max((value for _, value in series), default=0)
    label_cells = max((cell_len(label) for label, _ in series), default=0)
    width = max(10, min(50, console.width - label_cells - 12))
    chart = Table.grid(padding=(0, 1))
    chart.title, chart.title_style, chart.title_justify = title, "bold", "left"
    chart.add_column(justify="right", no_wrap=True)
    chart.add_column(no_wrap=True, style="cyan", width=width)
    chart.add_column(justify="right", no_wrap=True)
    for label, value in series:
        chart.add_row(label, _bar(value, top, width), _percent(value) if as_percent else f"{value:,}")
    return chart


def _court_table(rows: list[dict]) -> Table:
    currency = next((row["currency"] for row in rows if row["currency"]), "")
    table = Table(title=f"By court (amounts in {currency})" if currency else "By court", header_style="bold",
                  box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    table.add_column("court", no_wrap=True)
    for name in ("cases", "open", "rate", "listed", "overdue\ndeletions", "unpaid"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in rows:
        table.add_row(row["court_name"] or row["court_id"], f"{row['cases']:,}", f"{row['open']:,}",
                      _percent(row["enforcement_rate"]), f"{row['listed_active']:,}", f"{row['overdue_deletions']:,}",
                      f"{Decimal(row['outstanding_total']):,.0f}")
    return table


def _print(s: dict) -> None:
    console.print(_summary_table(s))
    console.print(f"[dim]enforcement rate: {s['enforcement_rate_definition']}[/]")
    console.print()
    console.print(bar_chart("Cases by outcome", outcome_series(s)))
    console.print()
    console.print(bar_chart("Listings by state", listing_series(s)))
    if "courts" in s:
        console.print()
        console.print(_court_table(s["courts"]))
        console.print(bar_chart("Enforcement rate, busiest courts", court_rate_series(s["courts"]), as_percent=True))
