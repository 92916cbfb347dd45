"""Staff users: creation, role changes and password logins with lockout; each step audited."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from keepword.accounts.context import AccountsContext
from keepword.accounts.errors import AccountLocked
from keepword.audit.entries import AuditEntry
from keepword.domain.errors import AlreadyExists, AuthenticationFailed, NotFound, ValidationFailed
from keepword.domain.ids import new_id
from keepword.services.access import ADMIN, AUDITOR, STAFF_ROLES
from keepword.store import tables as t

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,99}$")
#: Roles that act on court records and therefore belong to a court.
COURT_BOUND_ROLES = STAFF_ROLES - {ADMIN, AUDITOR}


@dataclass(frozen=True)
class User:
    id: str
    username: str
    display_name: str
    roles: tuple[str, ...]
    court_id: str | None
    active: bool = True
    locked_until: datetime | None = None    # too many failed logins: no sign-in before this


def _user(row) -> User:
    return User(row.id, row.username, row.display_name, tuple(sorted(row.roles)), row.court_id, row.active,
                row.locked_until)


def _check_roles(session: Session, roles: list[str], court_id: str | None) -> list[str]:
    if not roles:
        raise ValidationFailed("role", "at least one role is needed")
    unknown = [r for r in roles if r not in STAFF_ROLES]
    if unknown:
        raise ValidationFailed("role", f"{', '.join(unknown)}: staff roles are {', '.join(sorted(STAFF_ROLES))}")
    if set(roles) & COURT_BOUND_ROLES and not court_id:
        raise ValidationFailed("court", f"roles {', '.join(sorted(set(roles) & COURT_BOUND_ROLES))} act within a court")
    if court_id and session.execute(select(t.courts.c.id).where(t.courts.c.id == court_id)).first() is None:
        raise ValidationFailed("court", f"no court {court_id}")
    return sorted(set(roles))


def create_user(acc: AccountsContext, username: str, password: str, roles: list[str], court_id: str | None,
                *, actor: str, display_name: str | None = None) -> User:
    """A staff account; the role grant is a permission change and goes into the audit log."""
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise ValidationFailed("username", "3-100 characters: lower-case letters, digits, '.', '_' or '-'")
    password_hash = acc.hasher.hash(password)
    now = acc.clock.now()
    with Session(acc.engine) as session, session.begin():
        roles = _check_roles(session, roles, court_id)
        if session.execute(select(t.users.c.id).where(t.users.c.username == username)).first():
            raise AlreadyExists(f"username: {username} exists already", field="username")
        user = User(new_id(), username, display_name or username, tuple(roles), court_id)
        session.execute(insert(t.users).values(
            id=user.id, username=username, display_name=user.display_name, password_hash=password_hash,
            roles=roles, court_id=court_id, active=True, failed_logins=0, created_at=now, updated_at=now))
        acc.trail.append(session, [AuditEntry(at=now, actor=actor, action="user.created", subject_type="user",
                                              subject_id=user.id, details={"roles": roles, "court_id": court_id})])
    return user


def set_roles(acc: AccountsContext, username: str, roles: list[str], *, actor: str,
              court_id: str | None = None) -> User:
    """Replace a user's roles (and court); audited with the roles before and after."""
    now = acc.clock.now()
    with Session(acc.engine) as session, session.begin():
        row = session.execute(select(t.users).where(t.users.c.username == username.strip().lower())).first()
        if row is None:
            raise NotFound(f"user {username} not found")
        court = court_id or row.court_id
        roles = _check_roles(session, roles, court)
        session.execute(update(t.users).where(t.users.c.id == row.id).values(roles=roles, court_id=court,
                                                                             updated_at=now))
        acc.trail.append(session, [AuditEntry(
            at=now, actor=actor, action="user.roles_changed", subject_type="user", subject_id=row.id,
            details={"before": sorted(row.roles), "after": roles, "court_id": court})])
    acc.verified_tokens.forget_user(row.id)
    return User(row.id, row.username, row.display_name, tuple(roles), court, row.active, row.locked_until)


def list_users(acc: AccountsContext) -> list[User]:
    """Every staff account, by username."""
    with acc.engine.connect() as conn:
        return [_user(row) for row in conn.execute(select(t.users).order_by(t.users.c.username))]


def get_user(acc: AccountsContext, user_id: str) -> User:
    with acc.engine.connect() as conn:
        row = conn.execute(select(t.users).where(t.users.c.id == user_id)).first()
    if row is None:
        raise NotFound(f"user {user_id} not found", user_id=user_id)
    return _user(row)


def disable_user(acc: AccountsContext, user_id: str, *, actor: str) -> User:
    """Disable an account: no more sign-ins, and its tokens and sessions stop working (audited once)."""
    if actor == f"user:{user_id}":
        raise ValidationFailed("user_id", "you cannot disable your own account")
    now = acc.clock.now()
    with Session(acc.engine) as session, session.begin():
        row = session.execute(select(t.users).where(t.users.c.id == user_id)).first()
        if row is None:
            raise NotFound(f"user {user_id} not found", user_id=user_id)
        if row.active:
            session.execute(update(t.users).where(t.users.c.id == user_id).values(active=False, updated_at=now))
            revoked = session.execute(update(t.auth_tokens).where(t.auth_tokens.c.user_id == user_id,
                                                                  t.auth_tokens.c.revoked_at.is_(None))
                                      .values(revoked_at=now)).rowcount
            acc.trail.append(session, [AuditEntry(at=now, actor=actor, action="user.disabled", subject_type="user",
                                                  subject_id=user_id, details={"tokens_revoked": revoked})])
    acc.verified_tokens.forget_user(user_id)
    return replace(_user(row), active=False)


def authenticate(acc: AccountsContext, username: str, password: str) -> User:
    """Check a password; the configured number of failures in a row locks the account for a while."""
    settings, now = acc.settings, acc.clock.now()
    username = (username or "").strip().lower()
    failure: Exception | None = None
    with Session(acc.engine) as session, session.begin():
        query = select(t.users).where(t.users.c.username == username)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()  # two wrong guesses at once must both count
        row = session.execute(query).first()

        def audit(action: str, **details) -> None:
            acc.trail.append(session, [AuditEntry(at=now, actor=f"user:{row.id}" if row else "anonymous",
                                                  action=action, subject_type="user",
                                                  subject_id=row.id if row else None,
                                                  details={"username": username[:100], **details})])

        if row is None or not row.active:
            acc.hasher.verify(None, password)
            audit("login.failure", reason="unknown or inactive user")
            failure = AuthenticationFailed("username or password is wrong")
        elif row.locked_until is not None and row.locked_until > now:
            audit("login.refused", reason="locked")
            failure = _locked(row.locked_until - now)
        elif not acc.hasher.verify(row.password_hash, password):
            failed = row.failed_logins + 1
            locked_until = now + timedelta(seconds=settings.login_lockout_seconds) \
                if failed >= settings.login_max_failures else None
            session.execute(update(t.users).where(t.users.c.id == row.id).values(
                failed_logins=0 if locked_until else failed, locked_until=locked_until, updated_at=now))
            audit("login.failure", reason="wrong password", failures=failed, locked=locked_until is not None)
            failure = _locked(locked_until - now) if locked_until else AuthenticationFailed("username or password is wrong")
        else:
            values = {"failed_logins": 0, "locked_until": None}
            if acc.hasher.needs_rehash(row.password_hash):
                values["password_hash"] = acc.hasher.hash(password)
            if row.failed_logins or row.locked_until or len(values) > 2:
                session.execute(update(t.users).where(t.users.c.id == row.id).values(updated_at=now, **values))
            audit("login.success")
    if failure is not None:
        raise failure
    return User(row.id, row.username, row.display_name, tuple(row.roles), row.court_id)


def _locked(remaining: timedelta) -> AccountLocked:
    seconds = max(math.ceil(remaining.total_seconds()), 1)
    return AccountLocked(f"too many failed logins: the account is locked for {math.ceil(seconds / 60)} more minutes",
                         retry_after=seconds)
