"""The keepword command line: the one command a user learns."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(name="keepword", help="Court judgment enforcement: cases, the list of dishonest judgment debtors, "
                  "partner feeds and screening.", no_args_is_help=True, pretty_exceptions_show_locals=False)

# Each module registers its commands on ``app`` when imported.
COMMAND_MODULES = ("registry", "demo", "imports", "serve", "feeds", "accounts", "stats", "screening",
                   "screen_server")


def _load_commands() -> None:
    for name in COMMAND_MODULES:
        try:
            importlib.import_module(f"keepword.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"keepword.cli.{name}":
                raise


def main() -> None:
    _load_commands()
    app()
