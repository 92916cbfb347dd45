"""What every use case needs: a way to open a unit of work, a clock and the jurisdiction policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from keepword.domain.policy import Policy
from keepword.services.ports import Clock


@dataclass
class ServiceContext:
    uow_factory: Callable
    clock: Clock
    policy: Policy

    def uow(self):
        return self.uow_factory()
