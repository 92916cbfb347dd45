"""Accounts: staff users with roles, partner systems with API keys, bearer tokens and browser sessions."""

from keepword.accounts.context import AccountsContext

__all__ = ["AccountsContext"]
