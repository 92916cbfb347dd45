"""The served OpenAPI document against the app itself (schemathesis, bounded): for valid and invalid
requests of every operation, no 5xx and no response that breaks its documented schema, status or
content type. The caller is a staff user holding every case role, so requests get past sign-in."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from api_support import PASSWORD, add_courts, make_api, register
from keepword.accounts.users import create_user
from keepword.bootstrap import build_context
from keepword.services.ports import FakeClock
from keepword.store.database import make_engine, migrate

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
EXAMPLES_PER_OPERATION = 5


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One app on a fresh SQLite file, with a case to find and a staff token."""
    clock = FakeClock(datetime(2024, 3, 4, 2, 0, tzinfo=timezone.utc))
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'api.db'}")
    migrate(engine)
    add_courts(build_context(engine, clock=clock))
    api = make_api(engine, clock)
    create_user(api.accounts, "staff", PASSWORD, ["clerk", "officer", "judge"], "330102", actor="test")
    token = api.client.post("/api/v1/auth/token", json={"username": "staff", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    register(api, headers)
    yield api.app, headers
    engine.dispose()


def _operations(app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    for result in schema.get_all_operations():
        yield result.ok()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_keeps_its_contract(served, mode):
    app, headers = served
    failures = []
    for operation in _operations(app):
        if "logout" in operation.path:
            continue  # would revoke the token the other operations use
        if mode == GenerationMode.NEGATIVE and not (len(operation.body) or len(operation.query)):
            continue  # nothing to make invalid: hypothesis would search in vain

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Unsatisfiable:
            continue  # nothing to make invalid (an operation without parameters or body, in negative mode)
        except Exception as exc:  # noqa: BLE001 - collected, reported together
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)
