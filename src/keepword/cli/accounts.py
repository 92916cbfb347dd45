"""Accounts, partners and the audit log from the command line: the first accounts, key rotation, verification."""

from __future__ import annotations

import getpass
import json
import sys

import typer

from keepword.accounts import AccountsContext
from keepword.accounts.partner_types import PARTNER_SCOPES
from keepword.cli import app
from keepword.cli.common import DbOption, command_group as _group, console, err_console, friendly_errors, settings_with
from keepword.settings import Settings
from keepword.store.database import make_engine, migrate



users_app = _group("users", "Staff accounts.")
partners_app = _group("partners", "Partner systems: accounts, API keys, webhook endpoints, lag.")
audit_app = _group("audit", "The tamper-evident audit log.")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def _accounts(db: str | None) -> tuple[AccountsContext, Settings]:
    settings = settings_with(db)
    engine = make_engine(settings.database_url)
    migrate(engine)
    return AccountsContext.build(engine, settings), settings


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("create")
def create_user(username: str = typer.Argument(..., help="lower-case login name"),
                role: list[str] = typer.Option(..., "--role", help="clerk, officer, judge, supervisor, auditor or "
                                                                   "admin; repeat for several"),
                court: str = typer.Option(None, "--court", help="the court the user acts in (court id)"),
                name: str = typer.Option(None, "--name", help="display name (default: the username)"),
                password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
                db: str = DbOption) -> None:
    """Create a staff account (the password is asked for, or read from stdin)."""
    from keepword.accounts.users import create_user as create

    with friendly_errors():
        accounts, _ = _accounts(db)
        user = create(accounts, username, _password(password_stdin), role, court, actor=_actor(), display_name=name)
        console.print(f"[green]created[/] {user.username} ({', '.join(user.roles)}"
                      f"{', court ' + user.court_id if user.court_id else ''})")


@users_app.command("set-roles")
def set_roles(username: str, role: list[str] = typer.Option(..., "--role"),
              court: str = typer.Option(None, "--court"), db: str = DbOption) -> None:
    """Replace a user's roles (audited as a permission change)."""
    from keepword.accounts.users import set_roles as change

    with friendly_errors():
        accounts, _ = _accounts(db)
        user = change(accounts, username, role, actor=_actor(), court_id=court)
        console.print(f"[green]updated[/] {user.username}: {', '.join(user.roles)}")


def _print_key(issued, what: str) -> None:
    console.print(f"[green]{what}[/] partner {issued.partner_id}")
    console.print("API key (shown once, store it now; keepword keeps only its hash):")
    # Plain print: the key must be copyable as one line, without Rich wrapping it.
    print(issued.key, flush=True)


@partners_app.command("create")
def create_partner(name: str, partner_type: str = typer.Option(..., "--type", help=", ".join(PARTNER_SCOPES)),
                   scopes: str = typer.Option(None, "--scopes", help="comma-separated; default: all the type allows"),
                   db: str = DbOption) -> None:
    """Register a partner system and print its API key once."""
    from keepword.accounts.partners import create_partner as create

    with friendly_errors():
        accounts, _ = _accounts(db)
        wanted = [s.strip() for s in scopes.split(",") if s.strip()] if scopes else None
        _print_key(create(accounts, name, partner_type, wanted, actor=_actor()), "created")


@partners_app.command("rotate-key")
def rotate_key(partner_id: str, db: str = DbOption) -> None:
    """Issue a new API key (printed once); every earlier key of the partner stops working."""
    from keepword.accounts.partners import rotate_key as rotate

    with friendly_errors():
        accounts, _ = _accounts(db)
        _print_key(rotate(accounts, partner_id, actor=_actor()), "rotated")


@partners_app.command("revoke-key")
def revoke_key(partner_id: str, prefix: str = typer.Option(None, "--prefix", help="only this key (default: all)"),
               db: str = DbOption) -> None:
    """Revoke a partner's API keys."""
    from keepword.accounts.partners import revoke_keys

    with friendly_errors():
        accounts, _ = _accounts(db)
        count = revoke_keys(accounts, partner_id, actor=_actor(), prefix=prefix)
        console.print(f"[green]revoked[/] {count} key(s) of partner {partner_id}")


@audit_app.command("verify")
def verify(db: str = DbOption, as_json: bool = typer.Option(False, "--json")) -> None:
    """Check the hash chain and signed checkpoints; exit 1 naming the first altered, inserted or deleted entry."""
    from keepword.audit.verify import verify_chain

    with friendly_errors():
        settings = settings_with(db)
        engine = make_engine(settings.database_url)
        migrate(engine)
        report = verify_chain(engine, settings.secret_key)
    if as_json:
        print(json.dumps(report.as_dict()))
    elif report.ok:
        tail = f"; {report.unsigned_tail} newest not yet under a checkpoint" if report.unsigned_tail else ""
        console.print(f"[green]intact[/]: {report.entries} entries, {report.checkpoints} signed checkpoints{tail}")
    else:
        err_console.print(f"[bold red]{report.problem.kind}[/] at seq {report.problem.seq}: {report.problem.message}")
    raise typer.Exit(0 if report.ok else 1)


@audit_app.command("purge-expired")
def purge_expired(db: str = DbOption, dry_run: bool = typer.Option(False, "--dry-run", help="count, delete nothing")) -> None:
    """Delete records past the policy's retention (closed cases, ended listings); the purge is audited."""
    from keepword.audit.retention import purge_expired as purge
    from keepword.domain.policy import load_policy
    from keepword.services.ports import SystemClock

    with friendly_errors():
        accounts, settings = _accounts(db)
        report = purge(accounts.engine, load_policy(settings.policy), accounts.trail, SystemClock(), actor=_actor(),
                       dry_run=dry_run)
        console.print(("[yellow]would purge[/] " if dry_run else "[green]purged[/] ") + json.dumps(report.as_dict()))
