"""GET /api/v1/cases/{id} from its one-statement read model: the same answer as the loaded aggregate,
and every answered read in the audit log, in one valid chain, however many arrive at once."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, timezone

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from api_support import api, api_sqlite, framework_only, register  # noqa: F401
from factories import organization, party_input, person
from loop_support import run_coroutine
from keepword.audit import AuditEntry, verify_chain
from keepword.cli import _load_commands, app as cli_app
from keepword.services import listings, restrictions
from keepword.services.cases import order_measure, record_payment, register_judgment
from keepword.store import tables as t
from keepword.web.api.present import case_out

V1 = "/api/v1"
TODAY = date(2024, 3, 4)  # the test clock's day at the court


def rich_case(api) -> str:
    """A case with two debtors and every kind of part: payments, measures, a listing with an objection,
    a restriction with exemptions."""
    ctx = api.app.state.keepword.ctx
    company, first, second = organization(), person("张三"), person("李四")
    case = register_judgment(
        ctx, court_id="330102", case_number="（2024）浙0102执77号", amount="250000.00",
        creditors=[party_input(company)], debtors=[party_input(first), party_input(second)],
        judgment_date=date(2023, 12, 1), effective_date=date(2023, 12, 20), filed_on=date(2024, 3, 1),
        by="user:clerk")
    debtor = next(p.party.id for p in case.debtors if p.party.name == "张三")
    record_payment(ctx, case.id, amount="1000.50", paid_on=TODAY, by="user:clerk", note="first instalment")
    record_payment(ctx, case.id, amount="99.50", paid_on=date(2024, 3, 2), by="user:clerk", payer_id=debtor)
    order_measure(ctx, case.id, kind="asset_search", by="user:officer", debtor_id=debtor, assets_found=False)
    order_measure(ctx, case.id, kind="asset_freeze", by="user:officer", debtor_id=debtor, value="1234.56")
    listing = listings.propose_listing(ctx, case.id, debtor_id=debtor, grounds=[1], by="user:officer").listings[0]
    listings.decide_listing(ctx, listing.id, signed_by="user:judge", signer_role="judge", reason="hides assets")
    listings.serve_decision(ctx, listing.id, served_on=TODAY, by="user:officer")
    listings.file_objection(ctx, listing.id, kind="wrong_details", statement="wrong birth date", by="user:officer")
    order = restrictions.order_restriction(ctx, case.id, debtor_id=debtor, by="user:officer").restrictions[0]
    for category in order.categories[:2]:
        restrictions.grant_exemption(ctx, case.id, order.id, category=category, kind="approved",
                                     reason="medical treatment", valid_from=TODAY, valid_until=date(2024, 4, 4),
                                     by="user:judge")
    return case.id


def test_the_read_model_answers_what_the_aggregate_does(api):
    case_id = rich_case(api)
    response = api.client.get(f"{V1}/cases/{case_id}", headers=api.headers("officer"))
    assert response.status_code == 200, response.text
    with api.app.state.keepword.reads.uow() as uow:
        aggregate = uow.cases.get(case_id)
        expected_bytes = case_out(aggregate).model_dump_json().encode()
    expected, answer = json.loads(expected_bytes), response.json()
    assert answer == expected
    assert response.content == expected_bytes, "the same JSON, byte for byte"
    assert response.headers["etag"] == f'"{expected["version"]}"'
    assert answer["paid"] == "1100.00" and answer["outstanding"] == "248900.00"
    assert len(answer["parties"]) == 3 and len(answer["listings"][0]["objections"]) == 1
    assert len(answer["restrictions"][0]["exemptions"]) == 2
    assert answer["payments"][0]["paid_on"] == "2024-03-02", "children in date order"


def test_a_missing_case_and_a_case_of_another_court_answer_the_same_404(api):
    case_id = rich_case(api)
    missing = api.client.get(f"{V1}/cases/{'0' * 26}", headers=api.headers("officer"))
    elsewhere = api.client.get(f"{V1}/cases/{case_id}", headers=api.headers("officer", court="330100"))
    assert missing.status_code == elsewhere.status_code == 404
    assert missing.json()["code"] == elsewhere.json()["code"] == "not_found"
    with api.accounts.engine.connect() as conn:
        reads = conn.execute(select(t.audit_log).where(t.audit_log.c.action == "read.case")).all()
    assert reads == [], "nothing was answered, so nothing was read"


def test_every_answered_read_is_in_the_audit_log_in_one_valid_chain(api):
    case_id = rich_case(api)
    headers = {name: api.headers("officer") for name in ("a", "b", "c", "d")}
    statuses: list[int] = []

    def reader(name: str) -> None:
        for i in range(10):
            response = api.client.get(f"{V1}/cases/{case_id}", params={"purpose": f"review {name}{i}"},
                                      headers=headers[name])
            statuses.append(response.status_code)

    threads = [threading.Thread(target=reader, args=(name,)) for name in headers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 40
    with api.accounts.engine.connect() as conn:
        reads = conn.execute(select(t.audit_log.c.purpose, t.audit_log.c.subject_id)
                             .where(t.audit_log.c.action == "read.case")).all()
    assert sorted(r.purpose for r in reads) == sorted(f"review {n}{i}" for n in headers for i in range(10))
    assert {r.subject_id for r in reads} == {case_id}
    report = verify_chain(api.accounts.engine, api.settings.secret_key)
    assert report.ok, report.as_dict()


def test_reads_answered_until_shutdown_are_in_a_chain_that_keepword_audit_verify_accepts(api_sqlite):
    case = register(api_sqlite, api_sqlite.headers("clerk"))
    officer = api_sqlite.headers("officer")
    with TestClient(api_sqlite.app, base_url="https://testserver") as client:  # runs the app's lifespan
        for _ in range(5):
            assert client.get(f"{V1}/cases/{case['id']}", headers=officer).status_code == 200
    # After shutdown a straggling read is still recorded, by its own caller.
    late = AuditEntry(at=datetime(2024, 3, 4, 2, 0, tzinfo=timezone.utc), actor="user:late", action="read.case",
                      subject_type="case", subject_id=case["id"], purpose="enforcement")
    api_sqlite.app.state.keepword.record_read(late)

    _load_commands()
    result = CliRunner().invoke(cli_app, ["audit", "verify", "--json", "--db", str(api_sqlite.accounts.engine.url)],
                                env={"KEEPWORD_SECRET_KEY": api_sqlite.settings.secret_key})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["ok"] is True
    with api_sqlite.accounts.engine.connect() as conn:
        readers = conn.execute(select(t.audit_log.c.actor).where(t.audit_log.c.action == "read.case")).scalars().all()
    assert len(readers) == 6 and readers[-1] == "user:late"


def test_the_lean_case_read_answers_as_the_framework_route_would(api):
    """GET /cases/{id} is answered in front of the framework's middleware; the route behind it stays
    the reference: same statuses, codes, bodies and headers, for every kind of caller."""
    route = framework_only(api)
    case_id = rich_case(api)
    officer = api.headers("officer")
    asks = [
        (f"{V1}/cases/{case_id}", officer),
        (f"{V1}/cases/{case_id}?purpose=objection%20review", api.headers("judge")),
        (f"{V1}/cases/{case_id}?purpose=no", officer),
        (f"{V1}/cases/{case_id}?purpose={'x' * 201}", officer),
        (f"{V1}/cases/{case_id}", api.headers("clerk")),
        (f"{V1}/cases/{case_id}", api.headers("supervisor", court="330000")),
        (f"{V1}/cases/{case_id}", api.headers("officer", court="330100")),
        (f"{V1}/cases/{'0' * 26}", officer),
        (f"{V1}/cases/{case_id}", api.headers("auditor")),
        (f"{V1}/cases/{case_id}", {"X-API-Key": api.partner_key("bank")}),
        (f"{V1}/cases/{case_id}", {"Authorization": "Bearer not-a-token"}),
        (f"{V1}/cases/{case_id}", {"Authorization": "Basic dXNlcjpwYXNz"}),
        (f"{V1}/cases/{case_id}", {}),
        (f"{V1}/cases/{case_id}?purpose=no", {}),
    ]
    statuses = set()
    for path, headers in asks:
        lean, framework = (client.get(path, headers=headers) for client in (api.client, route))
        assert lean.status_code == framework.status_code, (path, headers)
        statuses.add(lean.status_code)
        for header in ("content-type", "cache-control", "www-authenticate", "etag"):
            assert lean.headers.get(header) == framework.headers.get(header), (path, header)
        assert lean.headers["cache-control"] == "no-store"
        if lean.status_code == 200:
            assert lean.content == framework.content
        else:
            assert {k: lean.json().get(k) for k in ("code", "field", "detail")} == \
                   {k: framework.json().get(k) for k in ("code", "field", "detail")}, (path, headers)
    assert statuses == {200, 401, 403, 404, 422}


def test_reads_on_a_kept_connection_see_every_later_commit(api):
    from keepword.store.async_reads import close_async_readers
    from keepword.store.sqlite_reads import close_readers
    from keepword.web.api.case_json import case_json

    state = api.app.state.keepword
    case_id = rich_case(api)

    async def reads() -> list[dict]:
        before = json.loads((await case_json(state.read_engine, case_id))[2])
        record_payment(state.ctx, case_id, amount="10.00", paid_on=TODAY, by="user:clerk")
        after = json.loads((await case_json(state.read_engine, case_id))[2])
        close_readers(state.read_engine)  # as at shutdown: the next read opens a connection again
        close_async_readers(state.read_engine)
        again = json.loads((await case_json(state.read_engine, case_id))[2])
        return [before, after, again]

    before, after, again = run_coroutine(reads())
    assert (before["paid"], after["paid"]) == ("1100.00", "1110.00")
    assert len(after["payments"]) == len(before["payments"]) + 1
    assert again == after
