"""RFC 9457 problem details: the one mapping from keepword error codes to HTTP statuses."""

from __future__ import annotations

import logging
import traceback

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from keepword.domain.errors import ConcurrencyConflict, KeepwordError, PermissionDenied

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

#: code -> HTTP status. Codes are stable and machine-readable; statuses follow from them here only.
STATUS_BY_CODE = {
    "validation_failed": 422,
    "invalid_identifier": 422,
    "invalid_amount": 422,
    "domain_error": 422,
    "transition_not_allowed": 409,
    "listing_barred": 409,
    "deadline_passed": 409,
    "already_exists": 409,
    "concurrency_conflict": 409,
    "not_found": 404,
    "authentication_failed": 401,
    "account_locked": 423,
    "permission_denied": 403,
    "csrf_failed": 403,
    "scope_missing": 403,
    "rate_limited": 429,
    "body_too_large": 413,
    "screening_unavailable": 503,
    "precondition_required": 428,
    "policy_invalid": 500,
    "internal_error": 500,
}

TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    409: "Conflict", 412: "Precondition Failed", 413: "Content Too Large", 422: "Unprocessable Content", 423: "Locked",
    428: "Precondition Required", 429: "Too Many Requests", 500: "Internal Server Error",
    503: "Service Unavailable",
}


class PreconditionFailed(ConcurrencyConflict):
    """If-Match named a version that is no longer current (same code, answered 412)."""


class RateLimited(KeepwordError):
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests: retry in {retry_after} s", retry_after=retry_after)
        self.retry_after = retry_after


class BodyTooLarge(KeepwordError):
    """A request body over the route's limit: answered 413."""

    code = "body_too_large"


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"


class ScopeMissing(PermissionDenied):
    code = "scope_missing"


def status_for(exc: KeepwordError) -> int:
    if isinstance(exc, PreconditionFailed):
        return 412
    return STATUS_BY_CODE.get(exc.code, 422 if isinstance(exc, KeepwordError) else 500)


def problem(status: int, code: str, detail: str, instance: str | None = None, headers: dict | None = None,
            **extra) -> JSONResponse:
    body = {"type": f"urn:keepword:problem:{code}", "title": TITLES.get(status, "Error"), "status": status,
            "detail": detail, "code": code}
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in jsonable_encoder(extra).items() if v is not None and k not in body})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def keepword_error(request: Request, exc: KeepwordError) -> JSONResponse:
    status = status_for(exc)
    headers = {}
    retry_after = exc.details.get("retry_after")
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="keepword"'
    return problem(status, exc.code, exc.message, request.url.path, headers, **exc.details)


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header", "cookie")]
        errors.append({"field": ".".join(loc) or "body", "reason": err.get("msg", "invalid")})
    first = errors[0] if errors else {"field": "body", "reason": "invalid"}
    return problem(422, "validation_failed", f"{first['field']}: {first['reason']}", request.url.path,
                   field=first["field"], reason=first["reason"], errors=errors)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 401: "authentication_failed",
            403: "permission_denied"}.get(exc.status_code, "http_error")
    return problem(exc.status_code, code, str(exc.detail), request.url.path, getattr(exc, "headers", None))


def unexpected_error(scope: dict, exc: BaseException) -> JSONResponse:
    """The 500 answer to a bug, logged without the error's message.

    Only the frames and the error's class: a message can quote the data (SQL parameters, names, ID
    numbers); and the route's path template instead of the URL, whose query may hold the same.
    """
    route = getattr(scope.get("route"), "path", "?")
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("unhandled %s on %s %s\n%s", type(exc).__name__, scope.get("method"), route, frames)
    return problem(500, "internal_error", "an unexpected error occurred; it has been logged", scope.get("path"))


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(KeepwordError, keepword_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # Other exceptions: keepword.web.app.BindState answers them with unexpected_error.


#: The problem responses every API operation documents in the OpenAPI (schemathesis checks against them).
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"}, "code": {"type": "string"},
        "field": {"type": "string"}, "reason": {"type": "string"},
    },
}


def problem_responses(*statuses: int) -> dict:
    return {s: {"description": TITLES.get(s, "Error"), "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}
            for s in statuses}
