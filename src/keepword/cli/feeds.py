"""Partner feed commands: the relay worker, the partner simulator, lag and unacknowledged delistings,
webhook endpoints, feed retention, and the credit-bureau and carrier exports."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time
from datetime import date, datetime, timezone
from pathlib import Path

import typer
from rich.table import Table

from keepword.bootstrap import open_registry
from keepword.cli import app
from keepword.cli.common import DbOption, command_group as _group, console, err_console, friendly_errors, settings_with
from keepword.domain.errors import ValidationFailed


partners_app = _group("partners", "Partner systems: accounts, webhook endpoints, lag and acknowledgements.")
export_app = _group("export", "Files for partners: the credit-bureau list, the carrier ringback orders.")
feed_app = _group("feed", "The partner feed: retention.")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.1f} s"


def _log_to_stderr(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)


@app.command()
def worker(db: str = DbOption, verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every round")) -> None:
    """Run the relay: sequence the feed and deliver signed webhooks to partners until stopped (Ctrl-C, SIGTERM)."""
    from keepword.feeds.relay import Relay

    _log_to_stderr(verbose)
    with friendly_errors():
        settings = settings_with(db)
        engine, _ = open_registry(settings=settings)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        Relay(engine, settings).run(stop)


@app.command("partner-sim")
def partner_sim(
    port: int = typer.Option(8900, "--port", min=0, max=65535, help="Port to listen on (0: any free port)"),
    secret: str = typer.Option(..., "--secret", help="The endpoint's Standard Webhooks secret (whsec_...)"),
    host: str = typer.Option("127.0.0.1", "--host"),
    api: str = typer.Option(None, "--api", help="keepword's base URL, to acknowledge delistings (e.g. http://127.0.0.1:8000)"),
    api_key: str = typer.Option(None, "--api-key", envvar="KEEPWORD_PARTNER_API_KEY", help="The partner's API key"),
) -> None:
    """A reference receiver behaving as a credit bureau: verifies signatures, deducts and restores points, acknowledges."""
    from keepword.feeds.partner_sim import CreditBureauSim
    from keepword.feeds.signing import check_secret

    _log_to_stderr(False)
    with friendly_errors():
        sim = CreditBureauSim(check_secret(secret), port, api_url=api, api_key=api_key, host=host).start()
        console.print(f"credit-bureau simulator listening on [bold]{sim.url}[/] (GET / for its state); Ctrl-C stops")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(10):
                state = sim.state()
                console.print(f"received {state['received']}, applied {state['applied']}, listed {state['listed']}, "
                              f"acknowledged {state['acked']}, rejected signatures {state['rejected']}")
        except KeyboardInterrupt:
            pass
        sim.stop()


@partners_app.command("lag")
def partners_lag(db: str = DbOption, partner: str = typer.Option(None, "--partner", help="One partner id"),
                 as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """How far behind the feed each partner is, in positions and seconds, and its endpoints' state."""
    from keepword.feeds.acks import lag

    with friendly_errors():
        engine, _ = open_registry(settings=settings_with(db))
        rows = lag(engine, _now(), partner)
        if as_json:
            console.print_json(json.dumps(rows, ensure_ascii=False))
            return
        table = Table("partner", "type", "head", "through", "lag (positions)", "lag (time)", "endpoints")
        for r in rows:
            states = ", ".join("ok" if e["active"] else f"[red]DISABLED: {e['disabled_reason']}[/]" for e in r["endpoints"])
            table.add_row(f"{r['partner']} ({r['partner_id']})", r["partner_type"], str(r["head"]), str(r["through"]),
                          str(r["lag_positions"]), _duration(r["lag_seconds"]), states or "pull only")
        console.print(table)


@partners_app.command("unacked")
def partners_unacked(db: str = DbOption, partner: str = typer.Option(None, "--partner", help="One partner id"),
                     as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Delistings (and lifted restrictions) a partner has not acknowledged, oldest first, against the deadline."""
    from keepword.feeds.acks import unacknowledged

    with friendly_errors():
        engine, ctx = open_registry(settings=settings_with(db))
        rows = unacknowledged(engine, ctx.policy, _now(), partner)
        if as_json:
            console.print_json(json.dumps(rows, ensure_ascii=False))
            return
        table = Table("occurred", "partner", "event", "subject", "position", "deadline")
        for r in rows:
            deadline = f"[bold red]{r['deadline']} OVERDUE[/]" if r["overdue"] else r["deadline"]
            table.add_row(r["occurred_at"][:19], f"{r['partner']} ({r['partner_type']})", r["type"], r["subject"] or "",
                          str(r["position"]), deadline)
        console.print(table)
        console.print(f"{len(rows)} not acknowledged, {sum(r['overdue'] for r in rows)} overdue")


@partners_app.command("add-endpoint")
def partners_add_endpoint(partner_id: str, url: str, db: str = DbOption,
                          secret: str = typer.Option(None, "--secret", help="Use this whsec_ secret (default: new)"),
                          from_start: bool = typer.Option(False, "--from-start",
                                                          help="Also deliver the retained feed")) -> None:
    """Register a webhook endpoint for a partner; prints its secret once."""
    from keepword.feeds.endpoints import add_endpoint

    with friendly_errors():
        settings = settings_with(db)
        engine, _ = open_registry(settings=settings)
        created = add_endpoint(engine, partner_id, url, secret=secret, from_start=from_start,
                               allow_plain_http=settings.environment != "production")
        console.print(f"endpoint [bold]{created.id}[/] for {partner_id}: {created.url}")
        console.print(f"secret (shown once): [bold]{created.secret}[/]")


@partners_app.command("endpoints")
def partners_endpoints(db: str = DbOption, as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Webhook endpoints and their state; a disabled one shows why and since when."""
    from keepword.feeds.endpoints import list_endpoints

    with friendly_errors():
        engine, _ = open_registry(settings=settings_with(db))
        with engine.connect() as conn:
            rows = list_endpoints(conn)
        if as_json:
            console.print_json(json.dumps(rows, ensure_ascii=False))
            return
        table = Table("endpoint", "partner", "url", "state", "failures in a row")
        for r in rows:
            state = "active" if r["active"] else f"[red]disabled {r['disabled_at'][:19]}: {r['disabled_reason']}[/]"
            table.add_row(r["id"], r["partner_id"], r["url"], state, str(r["consecutive_failures"]))
        console.print(table)


@partners_app.command("enable-endpoint")
def partners_enable_endpoint(endpoint_id: str, db: str = DbOption) -> None:
    """Resume a disabled endpoint: what waited for it is delivered, in order."""
    from keepword.feeds.endpoints import enable_endpoint

    with friendly_errors():
        engine, _ = open_registry(settings=settings_with(db))
        enable_endpoint(engine, endpoint_id)
        console.print(f"endpoint {endpoint_id} enabled")


@feed_app.command("purge")
def feed_purge(db: str = DbOption, keep_days: int = typer.Option(None, "--keep-days",
               help="Keep this many days (at least 30; default KEEPWORD_FEED_RETENTION_DAYS)")) -> None:
    """Remove feed events past retention; unacknowledged delistings and undelivered events stay."""
    from keepword.feeds.retention import purge_feed

    with friendly_errors():
        settings = settings_with(db)
        engine, ctx = open_registry(settings=settings)
        console.print_json(json.dumps(purge_feed(engine, ctx.policy, _now(), keep_days or settings.feed_retention_days)))


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@export_app.command("bureau")
def export_bureau(
    db: str = DbOption,
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv"),
    snapshot: bool = typer.Option(False, "--snapshot", help="Every published listing now"),
    since: int = typer.Option(None, "--since", min=0, help="Changes after this feed position (a delta)"),
    output: Path = typer.Option(None, "--output", "-o", help="Write to this file (default: standard output)"),
) -> None:
    """The credit-bureau file: published fields of the list (snapshot) or the changes since a position (delta)."""
    from keepword.feeds.bureau_export import CSV_COLUMNS, bureau_delta, bureau_snapshot
    from keepword.feeds.ringback_export import write_rows

    with friendly_errors():
        if fmt not in ("jsonl", "csv"):
            raise ValidationFailed("format", "must be jsonl or csv")
        if snapshot == (since is not None):
            raise ValidationFailed("since", "give either --snapshot or --since POSITION")
        engine, ctx = open_registry(settings=settings_with(db))
        if snapshot:
            position, rows = bureau_snapshot(engine, ctx.policy, _now())
        else:
            position, rows = bureau_delta(engine, since)
            rows = list(rows)
        _write(write_rows(rows, fmt, CSV_COLUMNS), output)
        err_console.print(f"{len(rows)} records, consistent with feed position {position} "
                          f"(next delta: --since {position})")


@export_app.command("ringback")
def export_ringback(
    db: str = DbOption,
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv"),
    court: str = typer.Option(None, "--court", help="Only this court's orders"),
    since: str = typer.Option(None, "--since", help="Orders placed and stopped since YYYY-MM-DD (default: all running)"),
    audio_dir: Path = typer.Option(None, "--audio-dir", help="Render each announcement to WAV here (needs espeak-ng)"),
    output: Path = typer.Option(None, "--output", "-o", help="Write to this file (default: standard output)"),
) -> None:
    """The carrier ringback order: SMS warning with its deadline, then announcement, start and stop, per number."""
    from keepword.feeds.ringback_export import CSV_COLUMNS, ringback_file_rows, write_rows

    with friendly_errors():
        if fmt not in ("jsonl", "csv"):
            raise ValidationFailed("format", "must be jsonl or csv")
        try:
            since_day = date.fromisoformat(since) if since else None
        except ValueError:
            raise ValidationFailed("since", f"{since!r} is not a date (YYYY-MM-DD)") from None
        engine, ctx = open_registry(settings=settings_with(db))
        started = time.monotonic()
        rows, note = ringback_file_rows(engine, ctx.policy, court_id=court, since=since_day, audio_dir=audio_dir)
        _write(write_rows(rows, fmt, CSV_COLUMNS), output)
        if note:
            err_console.print(f"[yellow]{note}[/]")
        err_console.print(f"{len(rows)} rows in {time.monotonic() - started:.1f} s")
