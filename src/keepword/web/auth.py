"""Who is asking: bearer tokens, partner API keys and browser sessions, resolved to a Principal.

Portal pages reuse these dependencies: ``current_principal``, ``require(*roles)``, ``require_scope``,
``start_session`` / ``end_session`` and ``csrf_token`` for forms.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from keepword.accounts.credentials import API_KEY_PREFIX
from keepword.accounts.partners import cached_api_key, resolve_api_key
from keepword.accounts.tokens import BEARER, SESSION, cached_principal, issue_token, resolve_token, revoke_token
from keepword.domain.errors import AuthenticationFailed, PermissionDenied
from keepword.services.access import ANONYMOUS, Principal
from keepword.web.problems import CsrfFailed, ScopeMissing
from keepword.web.state import WebState, current_state, web_state

SESSION_COOKIE = "keepword_session"
CSRF_COOKIE = "keepword_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
API_KEY_HEADER = "X-API-Key"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def current_principal(request: Request) -> Principal:
    """The caller: a partner (API key), a staff user (bearer token or session cookie), a debtor (session), or ANONYMOUS.

    Credentials that are sent but wrong answer 401; a stale session cookie counts as no cookie.
    Requests authenticated by the session cookie must carry the CSRF token when they change anything.
    """
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    state = web_state(request)
    authorization = request.headers.get("authorization", "")
    api_key = request.headers.get(API_KEY_HEADER.lower())
    scheme, _, credential = authorization.partition(" ")
    if authorization and scheme.lower() != "bearer":
        raise AuthenticationFailed("Authorization: only the Bearer scheme is accepted")
    credential = credential.strip()
    if not api_key and credential.startswith(f"{API_KEY_PREFIX}_"):
        api_key = credential
    if api_key:
        principal = cached_api_key(state.accounts, api_key) or \
            await run_in_threadpool(resolve_api_key, state.accounts, api_key)
        if principal is None:
            raise AuthenticationFailed("API key unknown or revoked")
    elif credential:
        principal = await _token_principal(state, credential, BEARER)
        if principal is None:
            raise AuthenticationFailed("bearer token unknown, expired or revoked")
    elif session := request.cookies.get(SESSION_COOKIE):
        principal = await _token_principal(state, session, SESSION) or ANONYMOUS
        if principal is not ANONYMOUS:
            request.state.session_token = session
            if request.method not in SAFE_METHODS:
                await _check_csrf(request, state, session)
    else:
        principal = ANONYMOUS
    request.state.principal = principal
    return principal


async def _token_principal(state: WebState, token: str, kind: str) -> Principal | None:
    # A token verified moments ago is answered from memory; only the others cost a thread and a query.
    return cached_principal(state.accounts, token, kind) or \
        await run_in_threadpool(resolve_token, state.accounts, token, kind)


def is_anonymous(principal: Principal) -> bool:
    return principal.id == ANONYMOUS.id


def require(*roles: str):
    """A dependency that lets through only principals holding one of ``roles``."""
    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if not principal.has(*roles):
            if is_anonymous(principal):
                raise AuthenticationFailed("sign in first")
            raise PermissionDenied(f"needs one of the roles: {', '.join(roles)}")
        return principal
    return dependency


def require_scope(scope: str):
    """A dependency for partner routes: the API key's partner must hold ``scope``."""
    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.partner_id is None:
            raise AuthenticationFailed("a partner API key is needed") if is_anonymous(principal) else \
                PermissionDenied("partners only")
        if scope not in principal.scopes:
            raise ScopeMissing(f"the API key lacks the scope {scope}", scope=scope)
        return principal
    return dependency


# ---- CSRF: a token derived from the session (signed double submit) ---------------------------------
def csrf_for(secret: str, session_token: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{session_token}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The CSRF token to put in a form (hidden field ``csrf_token``) for the current session; '' without one."""
    session = getattr(request.state, "session_token", None) or request.cookies.get(SESSION_COOKIE)
    return csrf_for(web_state(request).settings.secret_key, session) if session else ""


async def _check_csrf(request: Request, state: WebState, session: str) -> None:
    sent = request.headers.get(CSRF_HEADER.lower())
    if not sent and request.headers.get("content-type", "").startswith(_FORMS):
        sent = (await request.form()).get(CSRF_FIELD)
    if not sent or not hmac.compare_digest(str(sent), csrf_for(state.settings.secret_key, session)):
        raise CsrfFailed(f"missing or wrong CSRF token: send the {CSRF_HEADER} header or the {CSRF_FIELD} form field")


# ---- browser sessions ---------------------------------------------------------------------------------
def start_session(response: Response, principal: Principal, request: Request | None = None) -> str:
    """Sign a user (or a debtor: ``principal.party_id``) in on ``response``; returns the CSRF token for forms.

    The session cookie is HttpOnly, SameSite=Lax and Secure (unless KEEPWORD_COOKIE_SECURE is off).
    """
    state = web_state(request) if request is not None else current_state.get()
    if state is None:
        raise RuntimeError("start_session outside a request: pass the request")
    if principal.party_id:
        token = issue_token(state.accounts, SESSION, party_id=principal.party_id, case_id=principal.case_id)
    else:
        token = issue_token(state.accounts, SESSION, user_id=principal.id)
    settings = state.settings
    response.set_cookie(SESSION_COOKIE, token, max_age=settings.session_max_age_seconds, path="/",
                        secure=settings.cookie_secure, httponly=True, samesite="lax")
    csrf = csrf_for(settings.secret_key, token)
    # Readable by the page's script so that it can echo it in the X-CSRF-Token header.
    response.set_cookie(CSRF_COOKIE, csrf, max_age=settings.session_max_age_seconds, path="/",
                        secure=settings.cookie_secure, httponly=False, samesite="strict")
    if request is not None:
        request.state.session_token = token
    return csrf


def end_session(request: Request, response: Response) -> None:
    """Sign out: the session row is revoked and the cookies cleared."""
    state = web_state(request)
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        revoke_token(state.accounts, session)
    secure = state.settings.cookie_secure
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="lax")
    response.delete_cookie(CSRF_COOKIE, path="/", secure=secure, samesite="strict")
