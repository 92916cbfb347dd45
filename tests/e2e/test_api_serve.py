"""``keepword serve`` end to end: a real uvicorn on a free port answers health, cases and the public list."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from keepword.cli.serve import tick_forever


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_health_openapi_and_the_public_list(tmp_path: Path):
    port = _free_port()
    env = {**os.environ, "KEEPWORD_SECRET_KEY": "serve-test-secret", "KEEPWORD_TICK_INTERVAL_SECONDS": "1"}
    keepword = Path(sys.executable).with_name("keepword")
    server = subprocess.Popen([str(keepword), "serve", "--db", f"sqlite:///{tmp_path / 'serve.db'}",
                               "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, server.stdout.read().decode()
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.3)
        assert health.json()["status"] == "ok"
        assert "/api/v1/cases" in httpx.get(f"{base}/openapi.json").json()["paths"]
        assert httpx.get(f"{base}/api/v1/public/listings").json() == {"items": [], "next_cursor": None}
        assert httpx.get(f"{base}/api/v1/cases").status_code == 401
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "GET /api/v1/public/listings HTTP" in output


def test_the_tick_runs_every_interval_until_stopped(monkeypatch):
    runs = []
    monkeypatch.setattr("keepword.cli.serve.run_tick", lambda ctx: runs.append(ctx) or _Report())
    stop = threading.Event()
    thread = threading.Thread(target=tick_forever, args=("ctx", 0.01, stop))
    thread.start()
    time.sleep(0.2)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive() and len(runs) >= 3 and set(runs) == {"ctx"}


class _Report:
    published = expired = deleted = conflicts = 0

    def as_dict(self):
        return {}
