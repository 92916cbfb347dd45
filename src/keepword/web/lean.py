"""Answering a few hot routes in front of the framework (docs/adr/0006-lean-partner-check-path.md).

For a request that takes a few hundred microseconds, the framework's middleware layers, routing past
every route and dependency resolution cost as much again. A lean path answers its route itself with
the same function the framework's route uses, so that both give the same bytes, and turns errors
into the same problem details; every other request goes on to the framework. The routes stay
declared for the OpenAPI document, and tests compare each lean path with its route.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from keepword.domain.errors import KeepwordError
from keepword.web.problems import keepword_error, unexpected_error, validation_error

#: What a lean route answers: the JSON body and its headers beyond content type and length.
LeanAnswer = tuple[bytes, tuple[tuple[bytes, bytes], ...]]
_JSON_NOT_STORED = ((b"content-type", b"application/json"), (b"cache-control", b"no-store"))


async def answer_in_front(scope, receive, send, answer: Callable[[Request], Awaitable[LeanAnswer]]) -> None:
    """Answer one request with ``answer``, its errors as the framework's handlers answer them."""
    request = Request(scope, receive)
    try:
        body, headers = await answer(request)
    except KeepwordError as refused:
        response = await keepword_error(request, refused)
    except RequestValidationError as invalid:
        response = await validation_error(request, invalid)
    except Exception as exc:  # noqa: BLE001 - a bug: logged without its message, answered 500
        response = unexpected_error(scope, exc)
    else:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode()), *_JSON_NOT_STORED, *headers]})
        await send({"type": "http.response.body", "body": body})
        return
    response.headers.setdefault("cache-control", "no-store")
    await response(scope, receive, send)
