"""What every command shares: the --db option, opening the registry, printing errors."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import typer
from rich.console import Console

from keepword.domain.errors import KeepwordError
from keepword.settings import Settings

console = Console()
err_console = Console(stderr=True)

DbOption = typer.Option(None, "--db", help="Database URL: sqlite:///file.db or postgresql://user@host:port/db "
                        "(default: KEEPWORD_DATABASE_URL or sqlite:///keepword.db)")


def settings_with(db: str | None) -> Settings:
    settings = Settings()
    if db:
        settings = settings.model_copy(update={"database_url": db})
    return settings


@contextmanager
def friendly_errors():
    """Show keepword errors as one clear line and exit 1, without a traceback."""
    try:
        yield
    except KeepwordError as exc:
        err_console.print(f"[bold red]error[/] ({exc.code}): {exc.message}")
        sys.exit(1)


def command_group(name: str, help_text: str) -> typer.Typer:
    """The command group ``name`` (``keepword partners ...``), shared by every module that adds commands to it."""
    from keepword.cli import app

    for info in app.registered_groups:
        if info.name == name:
            return info.typer_instance
    group = typer.Typer(help=help_text, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group
