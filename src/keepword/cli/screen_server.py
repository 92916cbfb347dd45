"""``keepword screen-server``: a screening replica (docs/screening.md, "HTTP API and screen-server")."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from keepword.cli import app
from keepword.cli.common import DbOption, console, friendly_errors, settings_with

DEFAULT_PORT = 8100


@app.command("screen-server")
def screen_server(
    db: str = DbOption,
    registry: Path = typer.Option(None, "--registry", exists=True, dir_okay=False,
                                  help="Serve this REGISTRY.csv (a static list) instead of the database's registry; "
                                       "API keys and the audit log stay in the database"),
    host: str = typer.Option(None, "--host", help="Address to bind (default: KEEPWORD_HOST, 127.0.0.1)"),
    port: int = typer.Option(DEFAULT_PORT, "--port", min=1, max=65535, help="Port"),
    access_log: bool = typer.Option(False, "--access-log/--no-access-log", help="Log every request (path only)"),
) -> None:
    """Serve partner screening from an in-memory index that follows the registry's feed.

    /health answers at once; /ready and the screening routes answer 503 until the index is loaded.
    """
    import uvicorn

    from keepword.screening.holder import IndexHolder
    from keepword.screening.index import ScreeningIndex
    from keepword.screening.live_index import LiveIndex
    from keepword.screening.server import create_screen_app
    from keepword.store.database import make_engine

    with friendly_errors():
        settings = settings_with(db)
        settings.check_production()
        engine = make_engine(settings.database_url)
        secret = settings.screening_hmac_secret or None
        holder, live = IndexHolder(), None
        if registry is not None:
            started = time.perf_counter()
            holder.swap(ScreeningIndex.from_csv(registry, secret=secret))
            console.print(f"indexed {len(holder.current):,} entries from {registry} in "
                          f"{time.perf_counter() - started:.1f} s")
        else:
            live = LiveIndex(engine, holder, secret=secret)
        web = create_screen_app(settings, engine, holder=holder, live=live)
    bind = host or settings.host
    console.print(f"keepword screening replica on http://{bind}:{port}  (privacy mode "
                  f"{'on' if secret else 'off'}; readiness: /ready)")
    uvicorn.run(web, host=bind, port=port, log_level="info", access_log=access_log)
