"""Personal data never reaches a plain log line: not from a crash, not from the access log."""

from __future__ import annotations

import logging

from fastapi.testclient import TestClient

from api_support import api_sqlite, person_body, register  # noqa: F401
from keepword.cli.serve import DropQueryString
from keepword.services import cases as case_service


def test_a_crash_answers_a_bare_500_and_logs_neither_the_message_nor_the_query(api_sqlite, monkeypatch, caplog):
    clerk = api_sqlite.headers("clerk")
    debtor = person_body(name="郑十一")
    case = register(api_sqlite, clerk, debtor=debtor)

    def broken(*args, **kwargs):
        raise RuntimeError(f"constraint failed for {debtor['name']} {debtor['identifier']}")

    monkeypatch.setattr(case_service, "record_payment", broken)
    client = TestClient(api_sqlite.app, base_url="https://testserver", raise_server_exceptions=False)
    with caplog.at_level(logging.DEBUG):
        response = client.post(f"/api/v1/cases/{case['id']}/payments?note={debtor['identifier']}", headers=clerk,
                               json={"amount": "1.00", "paid_on": "2024-03-04"})
    assert response.status_code == 500 and response.json()["code"] == "internal_error"
    assert debtor["identifier"] not in response.text
    # The server's lines (the test's own HTTP client logs its URLs: it is not the server).
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore")))
    assert "unhandled RuntimeError on POST /api/v1/cases/{case_id}/payments" in logged
    assert debtor["identifier"] not in logged and debtor["name"] not in logged


def test_the_access_log_keeps_the_path_and_drops_the_query():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/api/v1/cases?identifier=110101198005170029&name=张三",
                                "1.1", 200), None)
    assert DropQueryString().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /api/v1/cases HTTP/1.1" 200'
