"""A lean HTTP/1.1 load client: pre-built requests over keep-alive connections, in a few processes.

Each process runs an asyncio loop with its share of the connections; each connection sends its
requests one after another (no pipelining) and reads each response by its Content-Length. The
client does no JSON work while timing, so a request costs it a few tens of microseconds: far less
than the server, which is what is being measured.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
from dataclasses import dataclass


def post(path: str, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    """The bytes of a keep-alive POST with a JSON body."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def get(path: str, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length) if length else b""
    return status, body


def exchange(port: int, request: bytes) -> tuple[int, bytes]:
    """One request, its status and body (for checking answers before timing)."""
    async def once():
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 24)
        writer.write(request)
        answer = await _response(reader)
        writer.close()
        return answer
    return asyncio.run(once())


async def _connection(port: int, requests: list[bytes], latencies: list[float], statuses: dict) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 24)
    try:
        for request in requests:
            started = time.perf_counter()
            writer.write(request)
            status, _ = await _response(reader)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


def _process(port: int, shares: list[list[bytes]], start_at: float, out) -> None:
    async def run():
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        await asyncio.sleep(max(0.0, start_at - time.time()))
        started = time.time()
        await asyncio.gather(*(_connection(port, share, latencies, statuses) for share in shares))
        out.send((started, time.time(), latencies, statuses))
        out.close()
    asyncio.run(run())


@dataclass
class RoundResult:
    requests: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    statuses: dict


def run_round(port: int, requests: list[bytes], connections: int, processes: int) -> RoundResult:
    """Send ``requests`` over ``connections`` keep-alive connections spread over ``processes``."""
    shares = [requests[i::connections] for i in range(connections)]
    start_at = time.time() + 0.5  # every process starts together, after the forks
    pipes, workers = [], []
    for p in range(processes):
        receiving, sending = multiprocessing.Pipe(duplex=False)
        worker = multiprocessing.Process(target=_process, args=(port, shares[p::processes], start_at, sending))
        worker.start()
        pipes.append(receiving)
        workers.append(worker)
    results = [pipe.recv() for pipe in pipes]
    for worker in workers:
        worker.join()
    started = min(r[0] for r in results)
    ended = max(r[1] for r in results)
    latencies = sorted(x for r in results for x in r[2])
    statuses: dict[int, int] = {}
    for r in results:
        for status, count in r[3].items():
            statuses[status] = statuses.get(status, 0) + count
    return RoundResult(requests=len(latencies), seconds=ended - started, per_second=len(latencies) / (ended - started),
                       p50_ms=statistics.median(latencies) * 1000,
                       p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
                       statuses=statuses)
