"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.types import TypeDecorator

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


class Cents(TypeDecorator):
    """A Decimal amount stored exactly as whole cents (SQLite has no exact decimal type)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return int((Decimal(value) * _HUNDRED).to_integral_exact())

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) / _HUNDRED).quantize(_CENT)


class UTCDateTime(TypeDecorator):
    """Aware UTC timestamps in, aware UTC timestamps out, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
