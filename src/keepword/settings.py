"""The one settings object. Every field reads KEEPWORD_<NAME>; docs/settings.md lists them."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KEEPWORD_", env_file=".env", extra="ignore")

    # Where the registry lives: sqlite:///keepword.db (embedded default) or postgresql://user@host:port/db.
    database_url: str = "sqlite:///keepword.db"
    # The jurisdiction policy: a bundled id (cn-spc, de-zpo, gb-ewrjof) or a path to a .toml policy file.
    policy: str = "cn-spc"
    # development | production. Production refuses insecure defaults (secret key, cookies without HTTPS).
    environment: str = "development"
    # Secret for signing sessions, CSRF tokens and audit checkpoints. Must be set in production.
    secret_key: str = "development-only-secret-change-me"
    # Address and port `keepword serve` binds to.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Seconds between runs of the periodic tick inside `keepword serve` (0 turns it off).
    tick_interval_seconds: int = Field(default=60, ge=0)
    # Page size limit for API listings.
    max_page_size: int = Field(default=200, ge=1, le=10_000)
    # Send the session and CSRF cookies only over HTTPS. Turn off only for plain-http development setups.
    cookie_secure: bool = True
    # Lifetime of a browser session (seconds); the session row expires with it.
    session_max_age_seconds: int = Field(default=8 * 3600, ge=60)
    # Lifetime of a bearer token from POST /api/v1/auth/token (seconds).
    token_ttl_seconds: int = Field(default=8 * 3600, ge=60)
    # Seconds a server process trusts a bearer token or session it verified. A logout, revocation or user
    # change made in the same process counts at once; one made by another process counts within this. 0: off.
    token_cache_seconds: float = Field(default=10.0, ge=0)
    # Failed logins in a row that lock an account, and how long the lock lasts (seconds).
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_seconds: int = Field(default=15 * 60, ge=1)
    # argon2id cost of password hashes. The defaults cost about 0.2 s a hash; tests lower them.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)
    # Requests a minute per client address on public routes, and per partner on partner routes (token bucket).
    rate_limit_public_per_minute: int = Field(default=60, ge=1)
    rate_limit_partner_per_minute: int = Field(default=600, ge=1)
    # A signed (HMAC-SHA256) audit checkpoint is written after every this many audit entries.
    audit_checkpoint_every: int = Field(default=100, ge=1)
    # ---- partner feeds (docs/feeds.md) ----
    # Feed events are kept at least this many days (the purge refuses fewer than 30).
    feed_retention_days: int = Field(default=30, ge=30)
    # Seconds the relay waits between polls when nothing woke it (PostgreSQL also wakes it by NOTIFY).
    relay_poll_seconds: float = Field(default=0.5, gt=0)
    # Seconds between the relay's looks for new commits on SQLite (no NOTIFY there); each look is one cheap read.
    relay_commit_check_seconds: float = Field(default=0.01, gt=0)
    # Seconds before a webhook request counts as failed.
    relay_timeout_seconds: float = Field(default=10.0, gt=0)
    # Deliveries one endpoint lane claims at a time, and how many of them are in flight at once.
    relay_batch_size: int = Field(default=100, ge=1)
    relay_max_in_flight: int = Field(default=8, ge=1)
    # Seconds a claimed delivery stays reserved; a relay killed mid-batch leaves it to be retried after this.
    relay_lease_seconds: float = Field(default=60.0, gt=0)
    # Retry delays: exponential from base (doubling) up to max, with jitter; after the window the endpoint
    # is disabled (default: 3 days).
    relay_backoff_base_seconds: float = Field(default=10.0, gt=0)
    relay_backoff_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    relay_retry_window_seconds: float = Field(default=3 * 24 * 3600.0, gt=0)
    # ---- screening API (docs/screening.md) ----
    # `keepword serve` builds the screening index from the database in the background at startup and follows
    # the feed; until it is loaded /api/v1/screening answers 503. Off: only `keepword screen-server` answers.
    screening_live_index: bool = False
    # Shared secret of the privacy mode: partners send HMAC-SHA256(secret, identifier) instead of the
    # identifier. Empty: privacy mode off. The index is built with it, so a change needs a restart.
    screening_hmac_secret: str = ""
    # Seconds a screening replica trusts an API key it verified; a revoked key works there at most this long.
    screening_key_cache_seconds: float = Field(default=30.0, ge=0)

    def check_production(self) -> None:
        """Refuse to start a production server with development defaults."""
        if self.environment == "production" and self.secret_key.startswith("development-only"):
            raise ValueError("KEEPWORD_SECRET_KEY must be set in production")
        if self.environment == "production" and not self.cookie_secure:
            raise ValueError("KEEPWORD_COOKIE_SECURE must stay on in production (cookies only over HTTPS)")
