"""Account errors, part of the one hierarchy in keepword.domain.errors."""

from __future__ import annotations

from keepword.domain.errors import AuthenticationFailed


class AccountLocked(AuthenticationFailed):
    """Too many failed logins in a row: the account is locked for a while."""

    code = "account_locked"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after
