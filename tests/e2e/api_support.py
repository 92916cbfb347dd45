"""Fixtures and helpers of the API tests: an app on the test database, users of every role, a case builder."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from factories import credit_code, id_number
from keepword.accounts import AccountsContext
from keepword.bootstrap import build_context
from keepword.domain.courts import Court
from keepword.store.database import make_engine, migrate
from keepword.accounts.partners import create_partner
from keepword.accounts.tokens import SESSION, issue_token
from keepword.accounts.users import create_user
from keepword.services.access import DEBTOR, Principal
from keepword.settings import Settings
from keepword.web.app import create_app
from keepword.web.auth import CSRF_COOKIE, SESSION_COOKIE, csrf_for

PASSWORD = "correct horse battery"
COURT = "330102"
_serial = itertools.count(1)


def framework_only(api) -> TestClient:
    """A client of ``api``'s framework stack alone, without the lean paths in front of it: the reference
    their answers are compared with."""
    from fastapi import FastAPI

    behind = FastAPI.build_middleware_stack(api.app)

    async def app(scope, receive, send):
        scope["app"] = api.app
        await behind(scope, receive, send)

    return TestClient(app, base_url="https://testserver")


def test_settings(**overrides) -> Settings:
    """Cheap argon2, a fixed secret, generous rate limits, frequent checkpoints."""
    values = dict(secret_key="test-secret-key-0123456789", argon2_time_cost=1, argon2_memory_kib=8,
                  argon2_parallelism=1, rate_limit_public_per_minute=100_000, rate_limit_partner_per_minute=100_000,
                  audit_checkpoint_every=10, tick_interval_seconds=0)
    values.update(overrides)
    return Settings(**values)


@dataclass
class Api:
    client: TestClient
    app: object
    accounts: AccountsContext
    settings: Settings
    tokens: dict = field(default_factory=dict)

    def user(self, role: str, court: str | None = COURT, username: str | None = None) -> str:
        """A user with one role and a live bearer token; returns the username."""
        username = username or f"{role}-{court or 'x'}-{next(_serial)}"
        create_user(self.accounts, username, PASSWORD, [role], court if role not in ("admin", "auditor") else court,
                    actor="test")
        token = self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert token.status_code == 200, token.text
        self.tokens[username] = token.json()["access_token"]
        return username

    def headers(self, role: str, court: str | None = COURT, **extra) -> dict:
        return {"Authorization": f"Bearer {self.tokens[self.user(role, court)]}", **extra}

    def partner_key(self, partner_type: str = "bank") -> str:
        return create_partner(self.accounts, f"{partner_type} partner", partner_type, actor="test").key

    def debtor_client(self, party_id: str, case_id: str, raise_server_exceptions: bool = True) -> TestClient:
        """A second client signed in as the debtor ``party_id`` with a session cookie (and its CSRF token)."""
        token = issue_token(self.accounts, SESSION, party_id=party_id, case_id=case_id)
        client = TestClient(self.app, base_url="https://testserver", raise_server_exceptions=raise_server_exceptions)
        client.cookies.set(SESSION_COOKIE, token)
        client.cookies.set(CSRF_COOKIE, csrf_for(self.settings.secret_key, token))
        client.headers["X-CSRF-Token"] = csrf_for(self.settings.secret_key, token)
        return client


def make_api(engine, clock, **settings_overrides) -> Api:
    settings = test_settings(**settings_overrides)
    app = create_app(settings, engine=engine, clock=clock)
    client = TestClient(app, base_url="https://testserver")
    return Api(client=client, app=app, accounts=app.state.keepword.accounts, settings=settings)


def add_courts(context) -> None:
    with context.uow() as uow:
        uow.courts.add(Court(id="330000", name="浙江省高级人民法院", province="浙江", level="high"))
        uow.courts.add(Court(id="330100", name="杭州市中级人民法院", province="浙江", level="intermediate",
                             parent_id="330000"))
        uow.courts.add(Court(id="330102", name="杭州市上城区人民法院", province="浙江", level="basic",
                             parent_id="330100"))
        uow.commit()


@pytest.fixture
def api(ctx, engine, clock):
    """The app on the test database, SQLite and PostgreSQL (courts 330000 > 330100 > 330102 from ``ctx``)."""
    return make_api(engine, clock)


@pytest.fixture
def api_sqlite(tmp_path, clock):
    """The app on a fresh SQLite file only: for tests whose subject does not depend on the database."""
    engine = make_engine(f"sqlite:///{tmp_path / 'api.db'}")
    migrate(engine)
    add_courts(build_context(engine, clock=clock))
    yield make_api(engine, clock)
    engine.dispose()


def person_body(name: str = "张三", identifier: str | None = None) -> dict:
    return {"kind": "person", "name": name, "identifier": identifier or id_number(), "phones": ["13812345678"],
            "address": "杭州市上城区某路2号"}


def case_body(court: str = COURT, amount: str = "100000.00", debtor: dict | None = None, **overrides) -> dict:
    body = {"court_id": court, "case_number": f"（2024）浙0102执{next(_serial)}号",
            "creditors": [{"kind": "organization", "name": "某银行股份有限公司", "identifier": credit_code()}],
            "debtors": [debtor or person_body()], "amount": amount, "judgment_date": "2023-12-01",
            "effective_date": "2023-12-20", "filed_on": "2024-03-01"}
    body.update(overrides)
    return body


def register(api: Api, headers: dict, **kw) -> dict:
    response = api.client.post("/api/v1/cases", json=case_body(**kw), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def debtor_principal(party_id: str, case_id: str) -> Principal:
    return Principal(id=party_id, name="debtor", roles=frozenset({DEBTOR}), party_id=party_id, case_id=case_id)
