"""What the account functions share: the database, the clock, the audit trail and the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from keepword.accounts.passwords import PasswordHasher, password_hasher
from keepword.accounts.token_cache import VerifiedTokens
from keepword.audit.trail import AuditTrail
from keepword.services.ports import Clock, SystemClock
from keepword.settings import Settings


@dataclass
class AccountsContext:
    engine: Engine
    settings: Settings
    trail: AuditTrail
    clock: Clock = field(default_factory=SystemClock)
    hasher: PasswordHasher | None = None
    # For looking up tokens and keys: an engine whose transactions take no write lock (see web.state).
    reader: Engine | None = None
    # court id -> (monotonic expiry, the court's subtree); a dict read/written whole, safe across threads
    subtrees: dict = field(default_factory=dict)
    # Tokens verified recently (this process only): revocations and user changes made here forget them.
    verified_tokens: VerifiedTokens | None = None

    def __post_init__(self) -> None:
        if self.hasher is None:
            self.hasher = password_hasher(self.settings)
        if self.verified_tokens is None:
            self.verified_tokens = VerifiedTokens(self.settings.token_cache_seconds)

    @classmethod
    def build(cls, engine: Engine, settings: Settings, clock: Clock | None = None) -> AccountsContext:
        trail = AuditTrail(settings.secret_key, settings.audit_checkpoint_every)
        return cls(engine=engine, settings=settings, trail=trail, clock=clock or SystemClock())
