"""Liveness: answers without touching the database or asking who is calling."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Request

from keepword.web.schemas.common import Health

router = APIRouter(tags=["health"])

try:
    VERSION = version("keepword")
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "0+unknown"


@router.get("/health", response_model=Health, summary="The server is up")
async def health(request: Request) -> Health:
    return Health(status="ok", version=VERSION, policy=request.app.state.keepword.ctx.policy.id)
