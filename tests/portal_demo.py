"""A portal on demo data for the page and browser tests: a migrated SQLite file filled by the demo
generator, the app with cheap password hashing, staff accounts, and an SMS sender that keeps the codes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from keepword.accounts.users import create_user
from keepword.bootstrap import build_context
from keepword.demo.loading import DemoRun
from keepword.services.debtor_access import CapturingSmsSender
from keepword.services.ports import FakeClock
from keepword.settings import Settings
from keepword.store import tables as t
from keepword.store.database import make_engine, migrate
from keepword.web.app import create_app

AS_OF = date(2026, 6, 10)                                   # a Wednesday, inside the calendar's data
NOW = datetime(2026, 6, 10, 4, 0, tzinfo=timezone.utc)      # noon in China
PASSWORD = "portal test password"
DEMO_CASES = 250


def portal_settings(**overrides) -> Settings:
    values = dict(secret_key="portal-test-secret-0123456789", argon2_time_cost=1, argon2_memory_kib=8,
                  argon2_parallelism=1, rate_limit_public_per_minute=100_000, rate_limit_partner_per_minute=100_000,
                  tick_interval_seconds=0, cookie_secure=False)
    values.update(overrides)
    return Settings(**values)


@dataclass
class DemoPortal:
    engine: object
    app: object
    settings: Settings
    sms: CapturingSmsSender
    clock: FakeClock

    @property
    def accounts(self):
        return self.app.state.keepword.accounts

    def client(self) -> TestClient:
        return TestClient(self.app, base_url="http://testserver")

    def staff(self, username: str, roles: list[str], court_id: str | None) -> TestClient:
        """A client signed in through the portal's own sign-in page."""
        create_user(self.accounts, username, PASSWORD, roles, court_id, actor="test")
        client = self.client()
        response = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
        assert response.status_code == 303, response.text
        return client

    def rows(self, query) -> list:
        with self.engine.connect() as conn:
            return list(conn.execute(query))

    def published_people(self) -> list:
        """(listing id, case id, case number, court id, party name, id number, phones) of published persons."""
        l, c, p = t.listings.c, t.cases.c, t.parties.c
        return self.rows(select(l.id, l.case_id, c.case_number, c.court_id, p.name, p.id_number, p.phones)
                         .join(t.cases, c.id == l.case_id).join(t.parties, p.id == l.debtor_id)
                         .where(l.state == "published", p.kind == "person", c.status == "open").order_by(l.id))

    def all_person_ids(self) -> list[str]:
        """Every person's ID number the database holds: parties and persons bound by an organisation."""
        ids = [r[0] for r in self.rows(select(t.parties.c.id_number).where(t.parties.c.id_number.is_not(None)))]
        ids += [r[0] for r in self.rows(select(t.bound_persons.c.id_number)
                                        .where(t.bound_persons.c.id_number.is_not(None)))]
        return sorted(set(ids))


def build_demo_portal(directory: Path, cases: int = DEMO_CASES) -> DemoPortal:
    engine = make_engine(f"sqlite:///{directory / 'portal.db'}")
    migrate(engine)
    clock = FakeClock(NOW)
    DemoRun(build_context(engine, clock=clock), cases=cases, seed=7, as_of=AS_OF).write(engine)
    settings = portal_settings()
    app = create_app(settings, engine=engine, clock=clock)
    sms = CapturingSmsSender()
    app.state.portal_sms = sms
    return DemoPortal(engine=engine, app=app, settings=settings, sms=sms, clock=clock)


def csrf_of(client: TestClient) -> str:
    return client.cookies.get("keepword_csrf") or ""


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    return found.group(1)
