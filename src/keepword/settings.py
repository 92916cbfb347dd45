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

    def check_production(self) -> None:
        """Refuse to start a production server with development defaults."""
        if self.environment == "production" and self.secret_key.startswith("development-only"):
            raise ValueError("KEEPWORD_SECRET_KEY must be set in production")
