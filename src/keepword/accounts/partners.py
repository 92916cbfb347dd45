"""Partner systems and their API keys: shown once, stored hashed, rotatable and revocable.

A key verified against the database is remembered among the verified tokens
(:class:`keepword.accounts.token_cache.VerifiedTokens`, keyed by the key's SHA-256) for their time
to live, so that a partner's every check need not look its key up again. Rotating or revoking keys
through this process forgets them at once; done by another process (the CLI, another server), it
takes effect within the time to live (KEEPWORD_TOKEN_CACHE_SECONDS).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from keepword.accounts.context import AccountsContext
from keepword.accounts.credentials import api_key_prefix, new_api_key, sha256_hex
from keepword.accounts.partner_types import scopes_for
from keepword.accounts.token_cache import VerifiedTokens
from keepword.audit.entries import AuditEntry
from keepword.domain.errors import NotFound, ValidationFailed
from keepword.domain.ids import new_id
from keepword.services.access import PARTNER, Principal
from keepword.store import tables as t


#: The kind under which verified partner keys are remembered among verified tokens.
API_KEY_KIND = "api_key"
_NO_EXPIRY = datetime.max.replace(tzinfo=timezone.utc)  # a key has no expiry of its own; the time to live bounds it


@dataclass(frozen=True)
class IssuedKey:
    partner_id: str
    key: str        # the full key: shown once, never stored
    prefix: str


@dataclass(frozen=True)
class KeyInfo:
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    type: str
    scopes: tuple[str, ...]
    active: bool
    created_at: datetime
    keys: tuple[KeyInfo, ...]   # newest first; never the keys themselves (only their hashes are kept)


def list_partners(acc: AccountsContext) -> list[Partner]:
    """Every partner with its keys' prefixes and states, by name."""
    p, k = t.partners.c, t.api_keys.c
    with acc.engine.connect() as conn:
        keys: dict[str, list[KeyInfo]] = {}
        for row in conn.execute(select(k.partner_id, k.prefix, k.created_at, k.revoked_at)
                                .order_by(k.created_at.desc(), k.prefix)):
            keys.setdefault(row.partner_id, []).append(KeyInfo(row.prefix, row.created_at, row.revoked_at))
        return [Partner(row.id, row.name, row.type, tuple(sorted(row.scopes)), row.active, row.created_at,
                        tuple(keys.get(row.id, ())))
                for row in conn.execute(select(t.partners).order_by(p.name, p.id))]


def create_partner(acc: AccountsContext, name: str, partner_type: str, scopes: list[str] | None = None, *,
                   actor: str) -> IssuedKey:
    """A partner with scopes by its type, and its first API key."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed("name", "empty")
    granted = scopes_for(partner_type, scopes)
    now = acc.clock.now()
    partner_id = new_id()
    with Session(acc.engine) as session, session.begin():
        session.execute(insert(t.partners).values(id=partner_id, name=name[:200], type=partner_type, scopes=granted,
                                                  active=True, created_at=now))
        acc.trail.append(session, [AuditEntry(at=now, actor=actor, action="partner.created", subject_type="partner",
                                              subject_id=partner_id, details={"type": partner_type, "scopes": granted})])
        return _issue(acc, session, partner_id, actor)


def rotate_key(acc: AccountsContext, partner_id: str, *, actor: str) -> IssuedKey:
    """A new key for the partner; every earlier key stops working at once."""
    with Session(acc.engine) as session, session.begin():
        _partner(session, partner_id)
        _revoke(acc, session, partner_id, None, actor)
        issued = _issue(acc, session, partner_id, actor)
    acc.verified_tokens.forget_user(partner_id)  # after the commit: a lookup from now on sees the revocation
    return issued


def revoke_keys(acc: AccountsContext, partner_id: str, *, actor: str, prefix: str | None = None) -> int:
    """Revoke one key (by prefix) or all keys of a partner; returns how many were live."""
    with Session(acc.engine) as session, session.begin():
        _partner(session, partner_id)
        revoked = _revoke(acc, session, partner_id, prefix, actor)
    acc.verified_tokens.forget_user(partner_id)
    return revoked


def cached_api_key(acc: AccountsContext, key: str, cache: VerifiedTokens | None = None) -> Principal | None:
    """The partner of a key verified within the cache's time to live, without I/O; None: ask ``resolve_api_key``.

    ``cache``: where verified keys are remembered (default: the account services' verified tokens).
    """
    return (acc.verified_tokens if cache is None else cache).get(sha256_hex(key), API_KEY_KIND, acc.clock.now())


def resolve_api_key(acc: AccountsContext, key: str, cache: VerifiedTokens | None = None) -> Principal | None:
    """The partner a live key belongs to, or None; from ``cache`` while fresh, else from the database."""
    cache = acc.verified_tokens if cache is None else cache
    digest = sha256_hex(key)
    known = cache.get(digest, API_KEY_KIND, acc.clock.now())
    if known is not None:
        return known
    generation = cache.generation
    principal = _partner_of_key(acc, key)
    if principal is not None:
        cache.put(digest, API_KEY_KIND, principal, _NO_EXPIRY, generation)
    return principal


def _partner_of_key(acc: AccountsContext, key: str) -> Principal | None:
    prefix = api_key_prefix(key)
    if prefix is None:
        return None
    k, p = t.api_keys.c, t.partners.c
    with (acc.reader or acc.engine).connect() as conn:
        row = conn.execute(select(k.key_hash, p.id, p.name, p.type, p.scopes)
                           .select_from(t.api_keys.join(t.partners, p.id == k.partner_id))
                           .where(k.prefix == prefix, k.revoked_at.is_(None), p.active.is_(True))).first()
    if row is None or not hmac.compare_digest(row.key_hash, sha256_hex(key)):
        return None
    return Principal(id=row.id, name=row.name, roles=frozenset({PARTNER}), partner_id=row.id,
                     partner_type=row.type, scopes=frozenset(row.scopes))


def _partner(session: Session, partner_id: str):
    row = session.execute(select(t.partners).where(t.partners.c.id == partner_id)).first()
    if row is None:
        raise NotFound(f"partner {partner_id} not found", partner_id=partner_id)
    return row


def _issue(acc: AccountsContext, session: Session, partner_id: str, actor: str) -> IssuedKey:
    key, prefix = new_api_key()
    now = acc.clock.now()
    session.execute(insert(t.api_keys).values(id=new_id(), partner_id=partner_id, prefix=prefix,
                                              key_hash=sha256_hex(key), created_at=now))
    acc.trail.append(session, [AuditEntry(at=now, actor=actor, action="partner.key_issued", subject_type="partner",
                                          subject_id=partner_id, details={"prefix": prefix})])
    return IssuedKey(partner_id, key, prefix)


def _revoke(acc: AccountsContext, session: Session, partner_id: str, prefix: str | None, actor: str) -> int:
    k = t.api_keys.c
    query = update(t.api_keys).where(k.partner_id == partner_id, k.revoked_at.is_(None))
    if prefix:
        query = query.where(k.prefix == prefix)
    now = acc.clock.now()
    count = session.execute(query.values(revoked_at=now)).rowcount
    if prefix and count == 0:
        raise NotFound(f"no live key {prefix} for partner {partner_id}")
    acc.trail.append(session, [AuditEntry(at=now, actor=actor, action="partner.key_revoked", subject_type="partner",
                                          subject_id=partner_id, details={"prefix": prefix, "count": count})])
    return count
