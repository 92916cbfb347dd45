"""Authenticated reads beside an unauthenticated trivial endpoint, on the same server in the same run.

A uvicorn server (one process, 127.0.0.1, a free port, access log off, the event loop and HTTP parser
uvicorn picks as ``keepword serve`` does) serves, on SQLite in a temp file and on PostgreSQL when one
answers at 127.0.0.1:5432 (a scratch database, dropped after):

- ``health``: GET /health: no credentials, no database (the baseline);
- ``case_bearer``: GET /api/v1/cases/{id} with a staff bearer token: the token checked, the case read
  (one query), and the read of personal data committed to the hash-chained audit log before the
  answer leaves (group commit: concurrent reads share one transaction);
- ``whoami_bearer``: GET /api/v1/auth/whoami with the bearer token: authentication alone;
- ``check_api_key``: POST /api/v1/partner/checks with a partner API key: the key looked up (hashed),
  the party found by identifier, and the check audited.

The case read is of a case with a payment, a measure, a listing with an objection and a restriction
with an exemption, so that every part of the answer is read.

The client must not be the bottleneck: ``--clients`` processes, each an asyncio loop driving
``--connections`` keep-alive HTTP/1.1 connections over raw sockets (a few microseconds of client CPU a
request, against hundreds on the server). A round sends ``--requests`` requests, bounded also by
``--round-seconds``; rounds alternate between the endpoints, ``--runs`` times; the medians of
requests/s and p99 latency go to bench/results/api.json with each endpoint's ratio to health.

    .venv/bin/python bench/api_bench.py [--requests 4000] [--clients 2] [--connections 16] [--runs 3]
                                        [--no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timezone
from multiprocessing import get_context
from pathlib import Path

from common import free_port, postgres_answers, scratch_postgres

RESULTS = Path(__file__).parent / "results" / "api.json"
NOTE = ("case_bearer: the token is checked against an in-process cache of verified tokens (the database "
        "only on a miss), the case and all its parts come from one statement (on SQLite the database writes "
        "the JSON answer; on PostgreSQL the statement runs on the event loop), and the read's audit "
        "entry is committed by the group-commit writer before the answer leaves; whoami_bearer is "
        "authentication alone; check_api_key looks its key up on every request")
SECRET = "bench-secret-key-0123456789"
ENV = {"KEEPWORD_SECRET_KEY": SECRET, "KEEPWORD_TICK_INTERVAL_SECONDS": "0",
       "KEEPWORD_RATE_LIMIT_PUBLIC_PER_MINUTE": "100000000", "KEEPWORD_RATE_LIMIT_PARTNER_PER_MINUTE": "100000000"}


def serve(db: str, port: int) -> None:
    """The server as ``keepword serve`` runs it: uvicorn picks its loop and HTTP parser the same way."""
    import uvicorn

    from keepword.settings import Settings
    from keepword.web.app import create_app

    uvicorn.run(create_app(Settings(database_url=db)), host="127.0.0.1", port=port, log_level="warning",
                access_log=False)


def prepare(db: str) -> tuple[str, str, str, str]:
    """A migrated registry with one court, one case with every kind of part, an officer's token and a bank's key."""
    from keepword.accounts import AccountsContext
    from keepword.accounts.partners import create_partner
    from keepword.accounts.tokens import BEARER, issue_token
    from keepword.accounts.users import create_user
    from keepword.bootstrap import build_context
    from keepword.domain.courts import Court
    from keepword.domain.identifiers import make_credit_code, make_id_number
    from keepword.services import listings, restrictions
    from keepword.services.cases import PartyInput, order_measure, record_payment, register_judgment
    from keepword.settings import Settings
    from keepword.store.database import make_engine, migrate

    engine = make_engine(db)
    migrate(engine)
    settings = Settings(database_url=db, secret_key=SECRET)
    accounts = AccountsContext.build(engine, settings)
    ctx = build_context(engine, hooks=(accounts.trail.hook,))
    with ctx.uow() as uow:
        uow.courts.add(Court(id="330102", name="杭州市上城区人民法院", province="浙江", level="basic"))
        uow.commit()
    debtor_id = make_id_number("330102", date(1980, 5, 17), 7)
    case = register_judgment(
        ctx, court_id="330102", case_number="（2024）浙0102执1号", amount="250000.00",
        creditors=[PartyInput("organization", "某银行股份有限公司", make_credit_code("9", "1", "330102", "12345678"))],
        debtors=[PartyInput("person", "张三", debtor_id, phones=["13812345678"])],
        judgment_date=date(2023, 12, 1), effective_date=date(2023, 12, 20), filed_on=date(2024, 3, 1), by="bench")
    party = case.debtors[0].party.id
    today = datetime.now(ctx.policy.zone).date()  # the court's day, as the services count it
    record_payment(ctx, case.id, amount="1000.50", paid_on=today, by="user:bench")
    order_measure(ctx, case.id, kind="asset_search", by="user:bench", debtor_id=party, assets_found=False)
    listing = listings.propose_listing(ctx, case.id, debtor_id=party, grounds=[1], by="user:bench").listings[0]
    listings.decide_listing(ctx, listing.id, signed_by="user:judge", signer_role="judge", reason="hides assets")
    listings.serve_decision(ctx, listing.id, served_on=today, by="user:bench")
    listings.file_objection(ctx, listing.id, kind="wrong_details", statement="wrong birth date", by="user:bench")
    order = restrictions.order_restriction(ctx, case.id, debtor_id=party, by="user:bench").restrictions[0]
    restrictions.grant_exemption(ctx, case.id, order.id, category=order.categories[0], kind="approved",
                                 reason="medical treatment", valid_from=today, valid_until=today, by="user:bench")
    user = create_user(accounts, "bench-officer", "bench password 123", ["officer"], "330102", actor="bench")
    token = issue_token(accounts, BEARER, user_id=user.id)
    key = create_partner(accounts, "bench bank", "bank", actor="bench").key
    engine.dispose()
    return case.id, token, key, debtor_id


# ---- the client: raw HTTP/1.1 keep-alive over asyncio streams, several processes ----------------------
def raw_request(port: int, method: str, path: str, headers: dict | None = None, body: dict | None = None) -> bytes:
    payload = json.dumps(body).encode() if body is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length is None:
        raise RuntimeError("a response without Content-Length")
    return status, await reader.readexactly(length)


async def _drive(port: int, request: bytes, connections: int, total: int,
                 seconds: float) -> tuple[list[float], float, float]:
    """``total`` requests (or as many as fit in ``seconds``) over ``connections`` connections; latencies, start, end."""
    remaining = [total]
    deadline = time.monotonic() + seconds
    latencies: list[float] = []

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while remaining[0] > 0 and time.monotonic() < deadline:
                remaining[0] -= 1
                started = time.perf_counter()
                writer.write(request)
                status, body = await _read_response(reader)
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    raise RuntimeError(f"{status} {body[:200]!r}")
        finally:
            writer.close()

    started = time.monotonic()
    await asyncio.gather(*(connection() for _ in range(connections)))
    return latencies, started, time.monotonic()


def client_process(port: int, request: bytes, connections: int, total: int, seconds: float):
    return asyncio.run(_drive(port, request, connections, total, seconds))


def run_round(pool: ProcessPoolExecutor, port: int, request: bytes, args) -> dict:
    """One round from ``args.clients`` processes at once: requests/s over the whole span, latency percentiles."""
    share = args.requests // args.clients
    parts = list(pool.map(client_process, *zip(*[(port, request, args.connections, share, args.round_seconds)]
                                                  * args.clients)))
    latencies = sorted(x for part in parts for x in part[0])
    elapsed = max(p[2] for p in parts) - min(p[1] for p in parts)
    return {"requests": len(latencies), "rps": len(latencies) / elapsed,
            "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[max(int(len(latencies) * 0.99) - 1, 0)]}


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    probe = raw_request(port, "GET", "/health")
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            if client_process(port, probe, 1, 1, 5.0)[0]:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not come up")


def audit_intact(db: str) -> dict:
    """After the server stopped (and flushed its queue): the chain verifies, and how many reads it holds."""
    from sqlalchemy import func, select

    from keepword.audit import verify_chain
    from keepword.store import tables as t
    from keepword.store.database import make_engine

    engine = make_engine(db)
    try:
        report = verify_chain(engine, SECRET)
        with engine.connect() as conn:
            reads = conn.execute(select(func.count()).where(t.audit_log.c.action == "read.case")).scalar_one()
    finally:
        engine.dispose()
    return {"ok": report.ok, "entries": report.entries, "read_case_entries": reads}


def measure(db: str, args) -> dict:
    """Every endpoint on a server over ``db``: medians of ``args.runs`` alternating rounds."""
    case_id, token, key, debtor_id = prepare(db)
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", db, str(port)], env={**os.environ, **ENV})
    bearer = {"Authorization": f"Bearer {token}"}
    endpoints = {
        "health": raw_request(port, "GET", "/health"),
        "case_bearer": raw_request(port, "GET", f"/api/v1/cases/{case_id}", bearer),
        "whoami_bearer": raw_request(port, "GET", "/api/v1/auth/whoami", bearer),
        "check_api_key": raw_request(port, "POST", "/api/v1/partner/checks", {"X-API-Key": key},
                                     {"identifier": debtor_id, "purpose": "loan application"}),
    }
    rounds: dict[str, list[dict]] = {name: [] for name in endpoints}
    answered = 0
    try:
        wait_until_up(port, server)
        with ProcessPoolExecutor(args.clients, mp_context=get_context("fork")) as pool:
            warm_up = {name: len(client_process(port, request, 4, 200, 10.0)[0])  # every path once
                       for name, request in endpoints.items()}
            for _ in range(args.runs):
                for name, request in endpoints.items():
                    rounds[name].append(run_round(pool, port, request, args))
        answered = sum(r["requests"] for r in rounds["case_bearer"]) + warm_up["case_bearer"]
    finally:
        server.terminate()  # SIGTERM: uvicorn shuts down, the app's lifespan flushes the audit writer
        server.wait(timeout=60)
    summary = {name: {"rps": statistics.median(r["rps"] for r in runs),
                      "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                      "p99_ms": statistics.median(r["p99_ms"] for r in runs), "runs": runs}
               for name, runs in rounds.items()}
    health = summary["health"]
    audit = audit_intact(db)
    audit["every_answered_read_recorded"] = audit["read_case_entries"] == answered
    return {"endpoints": summary,
            **{f"ratio_{name}_to_health": {"rps": summary[name]["rps"] / health["rps"],
                                           "p99": summary[name]["p99_ms"] / health["p99_ms"]}
               for name in summary if name != "health"},
            "aim_met": summary["case_bearer"]["rps"] >= 0.7 * health["rps"],
            "audit": audit}


def server_stack() -> dict:
    """What uvicorn runs on here: its 'auto' loop and HTTP choices take uvloop and httptools when installed."""
    import importlib.util

    import uvicorn

    def present(name: str) -> bool:
        return importlib.util.find_spec(name) is not None

    return {"uvicorn": uvicorn.__version__, "loop": "uvloop" if present("uvloop") else "asyncio",
            "http": "httptools" if present("httptools") else "h11", "workers": 1, "access_log": False}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000, help="requests per round")
    parser.add_argument("--round-seconds", type=float, default=20.0, help="a round ends after this, done or not")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--connections", type=int, default=16, help="keep-alive connections per client process")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--serve", nargs=2, metavar=("DB", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return

    os.environ.update(ENV)
    load_before = os.getloadavg()
    backends = {}
    with tempfile.TemporaryDirectory() as tmp:
        backends["sqlite"] = measure(f"sqlite:///{Path(tmp) / 'bench.db'}", args)
    if not args.no_postgres and postgres_answers():
        with scratch_postgres("keepword_api_bench") as engine:
            url = engine.url.render_as_string(hide_password=False)
            engine.dispose()
            backends["postgresql"] = measure(url, args)
    result = {
        "benchmark": "api: authenticated reads vs /health on one uvicorn server, same run",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg_at_start": load_before,
                    "load_avg_at_end": os.getloadavg()},
        "server": server_stack(),
        "client": {"processes": args.clients, "connections_per_process": args.connections,
                   "kind": "asyncio raw HTTP/1.1, keep-alive"},
        "requests_per_round": args.requests, "runs": args.runs,
        "aim": "case_bearer requests/s >= 0.7 of health requests/s", "backends": backends,
        "note": NOTE,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    for backend, measured in backends.items():
        for name, s in measured["endpoints"].items():
            print(f"{backend:10s} {name:14s} {s['rps']:8.0f} req/s  p50 {s['p50_ms']:6.1f} ms  "
                  f"p99 {s['p99_ms']:7.1f} ms")
        print(f"{backend:10s} ratios to health (req/s): " + ", ".join(
            f"{k[6:-10]} {v['rps']:.2f}" for k, v in measured.items() if k.startswith("ratio_"))
              + f"; aim met: {measured['aim_met']}; audit: {measured['audit']}")
    print(f"-> {RESULTS}")


if __name__ == "__main__":
    main()
