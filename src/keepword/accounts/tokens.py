"""Bearer tokens and browser sessions: random secrets, stored hashed, resolved to a Principal."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from keepword.accounts.context import AccountsContext
from keepword.accounts.credentials import new_token, sha256_hex
from keepword.domain.ids import new_id
from keepword.services.access import DEBTOR, SUPERVISOR, Principal
from keepword.store import tables as t
from keepword.store.repositories import CourtRepository

BEARER = "bearer"
SESSION = "session"

_SUBTREE_TTL = 60.0


def issue_token(acc: AccountsContext, kind: str, *, user_id: str | None = None, party_id: str | None = None,
                case_id: str | None = None) -> str:
    """A new bearer token or session for a user (or a debtor's party); returns the secret, shown once."""
    token = new_token()
    now = acc.clock.now()
    ttl = acc.settings.token_ttl_seconds if kind == BEARER else acc.settings.session_max_age_seconds
    with acc.engine.begin() as conn:
        conn.execute(insert(t.auth_tokens).values(
            id=new_id(), token_hash=sha256_hex(token), kind=kind, user_id=user_id, party_id=party_id,
            case_id=case_id, created_at=now, expires_at=now + timedelta(seconds=ttl)))
    return token


def revoke_token(acc: AccountsContext, token: str) -> None:
    digest = sha256_hex(token)
    with acc.engine.begin() as conn:
        conn.execute(update(t.auth_tokens).where(t.auth_tokens.c.token_hash == digest,
                                                 t.auth_tokens.c.revoked_at.is_(None))
                     .values(revoked_at=acc.clock.now()))
    acc.verified_tokens.forget(digest)


def cached_principal(acc: AccountsContext, token: str, kind: str) -> Principal | None:
    """The principal of a token this process verified moments ago, without I/O; None: ask ``resolve_token``."""
    return acc.verified_tokens.get(sha256_hex(token), kind, acc.clock.now())


def resolve_token(acc: AccountsContext, token: str, kind: str) -> Principal | None:
    """The principal a live token stands for, or None (unknown, expired, revoked, or user deactivated)."""
    digest, now = sha256_hex(token), acc.clock.now()
    cache = acc.verified_tokens
    known = cache.get(digest, kind, now)
    if known is not None:
        return known
    generation = cache.generation
    a, u = t.auth_tokens.c, t.users.c
    query = (select(a.user_id, a.party_id, a.case_id, a.expires_at, u.display_name, u.roles, u.court_id, u.active)
             .select_from(t.auth_tokens.outerjoin(t.users, u.id == a.user_id))
             .where(a.token_hash == digest, a.kind == kind, a.revoked_at.is_(None), a.expires_at > now))
    with (acc.reader or acc.engine).connect() as conn:
        row = conn.execute(query).first()
        principal = _principal(acc, conn, row) if row is not None else None
    if principal is not None:
        cache.put(digest, kind, principal, row.expires_at, generation)
    return principal


def _principal(acc: AccountsContext, conn, row) -> Principal | None:
    if row.party_id is not None:
        return Principal(id=row.party_id, name="debtor", roles=frozenset({DEBTOR}), party_id=row.party_id,
                         case_id=row.case_id)
    if not row.active:
        return None
    roles = frozenset(row.roles)
    courts = frozenset({row.court_id}) if row.court_id else frozenset()
    if SUPERVISOR in roles and row.court_id:
        courts = court_subtree(acc, conn, row.court_id)
    return Principal(id=row.user_id, name=row.display_name, roles=roles, court_id=row.court_id, court_ids=courts)


def court_subtree(acc: AccountsContext, conn, court_id: str) -> frozenset[str]:
    """The court and every court below it, cached for a minute (the hierarchy changes rarely)."""
    now = time.monotonic()
    cached = acc.subtrees.get(court_id)
    if cached and cached[0] > now:
        return cached[1]
    with Session(bind=conn) as session:
        found = frozenset(CourtRepository(session).subtree_ids(court_id))
    acc.subtrees[court_id] = (now + _SUBTREE_TTL, found)
    return found
