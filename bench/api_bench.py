"""Authenticated reads beside an unauthenticated trivial endpoint, on the same server in the same run.

A uvicorn server (one process, 127.0.0.1, a free port, access log off) serves, on SQLite in a temp file
and on PostgreSQL when one answers at 127.0.0.1:5432 (a scratch database, dropped after):

- ``health``: GET /health: no credentials, no database (the baseline);
- ``case_bearer``: GET /api/v1/cases/{id} with a staff bearer token: the token is looked up, the case
  aggregate loaded, and the read of personal data written to the hash-chained audit log;
- ``check_api_key``: POST /api/v1/partner/checks with a partner API key: the key is looked up (hashed),
  the party found by identifier, and the check audited;
- ``whoami_bearer``: GET /api/v1/auth/whoami with the bearer token: authentication alone, to tell its
  cost apart from the case load and the audit write.

The client is a separate process (this one): httpx with keep-alive in a pool of threads, a bounded
number of requests per round. Rounds alternate between the endpoints; each is run ``--runs`` times
and the medians of requests/s and p99 latency go to bench/results/api.json with the ratios to health.

    .venv/bin/python bench/api_bench.py [--requests 1500] [--threads 8] [--runs 3] [--no-postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from pathlib import Path

import httpx

RESULTS = Path(__file__).parent / "results" / "api.json"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
NOTE = ("case_bearer loads the whole case aggregate through the ORM (about 8 queries: parties, payments, "
        "measures, listings, objections, restrictions, exemptions) and appends an audit entry in a write "
        "transaction; whoami_bearer is authentication alone (one indexed lookup of the hashed token)")
SECRET = "bench-secret-key-0123456789"
ENV = {"KEEPWORD_SECRET_KEY": SECRET, "KEEPWORD_TICK_INTERVAL_SECONDS": "0",
       "KEEPWORD_RATE_LIMIT_PUBLIC_PER_MINUTE": "100000000", "KEEPWORD_RATE_LIMIT_PARTNER_PER_MINUTE": "100000000"}


def serve(db: str, port: int) -> None:
    import uvicorn

    from keepword.settings import Settings
    from keepword.web.app import create_app

    uvicorn.run(create_app(Settings(database_url=db)), host="127.0.0.1", port=port, log_level="warning",
                access_log=False)


def prepare(db: str) -> tuple[str, str, str, str]:
    """A migrated registry with one court, one case, an officer's token and a bank's API key."""
    from keepword.accounts import AccountsContext
    from keepword.accounts.partners import create_partner
    from keepword.accounts.tokens import BEARER, issue_token
    from keepword.accounts.users import create_user
    from keepword.bootstrap import build_context
    from keepword.domain.courts import Court
    from keepword.domain.identifiers import make_credit_code, make_id_number
    from keepword.services.cases import PartyInput, register_judgment
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
    user = create_user(accounts, "bench-officer", "bench password 123", ["officer"], "330102", actor="bench")
    token = issue_token(accounts, BEARER, user_id=user.id)
    key = create_partner(accounts, "bench bank", "bank", actor="bench").key
    engine.dispose()
    return case.id, token, key, debtor_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("the server did not come up")


def run_round(base: str, request: dict, total: int, threads: int) -> dict:
    """``total`` requests from ``threads`` keep-alive clients; requests/s and latency percentiles."""
    per_thread = total // threads

    def worker(_: int) -> list[float]:
        latencies = []
        with httpx.Client(base_url=base, timeout=30.0) as client:
            for _ in range(per_thread):
                started = time.perf_counter()
                response = client.request(**request)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{request['url']}: {response.status_code} {response.text[:200]}")
        return latencies

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        latencies = sorted(x for chunk in pool.map(worker, range(threads)) for x in chunk)
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "rps": len(latencies) / elapsed,
            "p50_ms": 1000 * latencies[len(latencies) // 2], "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1]}


def postgres_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


def scratch_postgres():
    """(url, drop): a fresh database on the local server."""
    from sqlalchemy import text

    from keepword.store.database import make_engine

    name = f"keepword_api_bench_{os.getpid()}"
    admin = make_engine(POSTGRES_ADMIN, pool=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}", drop


def measure(db: str, args) -> dict:
    """Every endpoint on a server over ``db``: medians of ``args.runs`` alternating rounds."""
    case_id, token, key, debtor_id = prepare(db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, __file__, "--serve", db, str(port)], env={**os.environ, **ENV})
    try:
        wait_until_up(base, server)
        endpoints = {
            "health": {"method": "GET", "url": "/health"},
            "case_bearer": {"method": "GET", "url": f"/api/v1/cases/{case_id}",
                            "headers": {"Authorization": f"Bearer {token}"}},
            "whoami_bearer": {"method": "GET", "url": "/api/v1/auth/whoami",
                              "headers": {"Authorization": f"Bearer {token}"}},
            "check_api_key": {"method": "POST", "url": "/api/v1/partner/checks", "headers": {"X-API-Key": key},
                              "json": {"identifier": debtor_id, "purpose": "loan application"}},
        }
        for request in endpoints.values():  # warm up every path once
            run_round(base, request, args.threads * 10, args.threads)
        rounds: dict[str, list[dict]] = {name: [] for name in endpoints}
        for _ in range(args.runs):
            for name, request in endpoints.items():
                rounds[name].append(run_round(base, request, args.requests, args.threads))
    finally:
        server.terminate()
        server.wait(timeout=30)
    summary = {name: {"rps": statistics.median(r["rps"] for r in runs),
                      "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                      "p99_ms": statistics.median(r["p99_ms"] for r in runs), "runs": runs}
               for name, runs in rounds.items()}
    health = summary["health"]["rps"]
    return {"endpoints": summary, **{f"ratio_{name}_to_health": summary[name]["rps"] / health
                                     for name in summary if name != "health"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500, help="requests per round")
    parser.add_argument("--threads", type=int, default=8)
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
        url, drop = scratch_postgres()
        try:
            backends["postgresql"] = measure(url, args)
        finally:
            drop()
    result = {
        "benchmark": "api: authenticated reads vs /health on one uvicorn server, same run",
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg_at_start": load_before,
                    "load_avg_at_end": os.getloadavg()},
        "requests_per_round": args.requests, "client_threads": args.threads, "runs": args.runs,
        "aim": "case_bearer >= 0.7 of health", "backends": backends,
        "note": NOTE,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    for backend, measured in backends.items():
        for name, s in measured["endpoints"].items():
            print(f"{backend:10s} {name:14s} {s['rps']:8.0f} req/s  p50 {s['p50_ms']:6.1f} ms  p99 {s['p99_ms']:7.1f} ms")
        print(f"{backend:10s} ratios to health: " + ", ".join(
            f"{k[6:-10]} {v:.2f}" for k, v in measured.items() if k.startswith("ratio_")))
    print(f"-> {RESULTS}")


if __name__ == "__main__":
    main()
