"""The ports the services need; adapters live in store/ and bootstrap wires them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self.at = self.at + timedelta(**delta)


class UnitOfWork(Protocol):
    cases: object
    parties: object
    courts: object

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, *exc) -> None: ...

    def commit(self) -> None:
        """Write state, outbox rows and audit entries in one transaction."""

    def rollback(self) -> None: ...
