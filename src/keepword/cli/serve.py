"""``keepword serve``: the HTTP API with the periodic tick running beside it."""

from __future__ import annotations

import logging
import threading

import typer

from keepword.bootstrap import open_registry
from keepword.cli import app
from keepword.cli.common import DbOption, console, friendly_errors, settings_with
from keepword.services.tick import tick as run_tick

log = logging.getLogger("keepword.serve")


class DropQueryString(logging.Filter):
    """Access-log lines keep the path, never the query: queries carry names and ID numbers."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            args = list(record.args)
            args[2] = args[2].split("?", 1)[0]
            record.args = tuple(args)
        return True


def tick_forever(ctx, interval: int, stop: threading.Event) -> None:
    """Run the tick every ``interval`` seconds until ``stop`` is set; a failed pass is retried next time."""
    while not stop.wait(interval):
        try:
            report = run_tick(ctx)
            if report.published or report.expired or report.deleted or report.conflicts:
                log.info("tick: %s", report.as_dict())  # counts only
        except Exception:  # noqa: BLE001 - the server must outlive a bad tick
            log.exception("tick failed; retrying in %s s", interval)


def _has_cases(engine) -> bool:
    from sqlalchemy import select

    from keepword.store import tables as t

    with engine.connect() as conn:
        return conn.execute(select(t.cases.c.id).limit(1)).first() is not None


@app.command()
def serve(db: str = DbOption,
          host: str = typer.Option(None, "--host", help="Address to bind (default: KEEPWORD_HOST, 127.0.0.1)"),
          port: int = typer.Option(None, "--port", min=1, max=65535, help="Port (default: KEEPWORD_PORT, 8000)"),
          demo: bool = typer.Option(False, "--demo", help="Fill an empty database with demo data first")) -> None:
    """Serve the REST API (OpenAPI at /openapi.json, guide in docs/api.md) and run the periodic tick."""
    import uvicorn

    from keepword.web.app import create_app

    with friendly_errors():
        settings = settings_with(db)
        settings = settings.model_copy(update={k: v for k, v in (("host", host), ("port", port)) if v is not None})
        settings.check_production()
        engine, _ = open_registry(settings=settings)
        if demo and not _has_cases(engine):
            from keepword.cli.demo import demo as make_demo

            make_demo(db=settings.database_url, cases=2000, seed=1, as_of=None, reset=False)
        web = create_app(settings, engine=engine)
    stop = threading.Event()
    if settings.tick_interval_seconds:
        threading.Thread(target=tick_forever, args=(web.state.keepword.ctx, settings.tick_interval_seconds, stop),
                         name="keepword-tick", daemon=True).start()
    logging.getLogger("uvicorn.access").addFilter(DropQueryString())
    console.print(f"keepword on http://{settings.host}:{settings.port}  (API guide: docs/api.md, "
                  f"OpenAPI: /openapi.json; first account: keepword users create)")
    try:
        uvicorn.run(web, host=settings.host, port=settings.port, log_level="info")
    finally:
        stop.set()
