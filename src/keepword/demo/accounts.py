"""Demo staff accounts, so that the portal can be tried at once on demo data (development only)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from keepword.accounts.context import AccountsContext
from keepword.accounts.users import create_user
from keepword.services.access import ADMIN, AUDITOR, CLERK, JUDGE, OFFICER, SUPERVISOR
from keepword.settings import Settings
from keepword.store import tables as t


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    roles: tuple[str, ...]
    court_id: str | None


def busiest_court(engine: Engine) -> str:
    """The basic court with the most cases: where the demo officer, clerk and judge work."""
    with engine.connect() as conn:
        row = conn.execute(select(t.cases.c.court_id, func.count()).group_by(t.cases.c.court_id)
                           .order_by(func.count().desc(), t.cases.c.court_id).limit(1)).first()
    return row[0]


def top_court(engine: Engine) -> str:
    with engine.connect() as conn:
        return conn.execute(select(t.courts.c.id).where(t.courts.c.parent_id.is_(None))
                            .order_by(t.courts.c.id).limit(1)).scalar_one()


def create_demo_accounts(engine: Engine, settings: Settings) -> list[DemoAccount]:
    """One account per staff role; the password is the username followed by '-demo'."""
    court, top = busiest_court(engine), top_court(engine)
    plan = [("clerk", (CLERK,), court), ("officer", (OFFICER,), court), ("judge", (JUDGE,), court),
            ("supervisor", (SUPERVISOR,), top), ("auditor", (AUDITOR,), None), ("admin", (ADMIN,), None)]
    acc = AccountsContext.build(engine, settings)
    accounts = []
    for username, roles, court_id in plan:
        account = DemoAccount(username, f"{username}-demo", roles, court_id)
        create_user(acc, account.username, account.password, list(roles), court_id, actor="system:demo")
        accounts.append(account)
    return accounts
