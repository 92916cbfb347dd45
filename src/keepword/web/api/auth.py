"""Sign-in: bearer tokens for API clients, browser sessions with CSRF tokens, sign-out, who-am-I."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from keepword.accounts.tokens import BEARER, issue_token, revoke_token
from keepword.accounts.users import authenticate
from keepword.services.access import Principal
from keepword.web.auth import SESSION_COOKIE, current_principal, end_session, start_session
from keepword.web.problems import problem_responses
from keepword.web.schemas.accounts import LoginIn, PrincipalOut, SessionOut, TokenOut
from keepword.web.state import web_state

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=problem_responses(401, 403, 422, 423))


@router.post("/token", response_model=TokenOut, summary="A bearer token for a staff user")
async def token(body: LoginIn, request: Request) -> TokenOut:
    state = web_state(request)
    user = await run_in_threadpool(authenticate, state.accounts, body.username, body.password)
    raw = await run_in_threadpool(issue_token, state.accounts, BEARER, user_id=user.id)
    return TokenOut(access_token=raw, expires_in=state.settings.token_ttl_seconds)


@router.post("/session", response_model=SessionOut, summary="Sign a staff user in with a session cookie")
async def session(body: LoginIn, request: Request, response: Response) -> SessionOut:
    state = web_state(request)
    user = await run_in_threadpool(authenticate, state.accounts, body.username, body.password)
    principal = Principal(id=user.id, name=user.display_name, roles=frozenset(user.roles), court_id=user.court_id)
    csrf = await run_in_threadpool(start_session, response, principal, request)
    return SessionOut(csrf_token=csrf)


@router.post("/logout", status_code=204, summary="Revoke the current token or session")
async def logout(request: Request, response: Response) -> Response:
    state = web_state(request)
    credential = request.headers.get("authorization", "").partition(" ")[2].strip()
    if credential:
        await run_in_threadpool(revoke_token, state.accounts, credential)
    result = Response(status_code=204)
    if request.cookies.get(SESSION_COOKIE):
        await run_in_threadpool(end_session, request, result)
    return result


@router.get("/whoami", response_model=PrincipalOut, summary="Who the credentials belong to")
async def whoami(principal: Principal = Depends(current_principal)) -> PrincipalOut:
    kind = principal.actor.split(":", 1)[0] if principal.id != "anonymous" else "anonymous"
    return PrincipalOut(id=principal.id, kind=kind, name=principal.name, roles=sorted(principal.roles),
                        court_id=principal.court_id, court_ids=sorted(principal.court_ids),
                        partner_type=principal.partner_type, scopes=sorted(principal.scopes))
