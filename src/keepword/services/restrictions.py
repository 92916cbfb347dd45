"""Use cases of restrictions on high consumption."""

from __future__ import annotations

from datetime import date

from keepword.domain.cases import EnforcementCase
from keepword.services.cases import _on_case
from keepword.services.context import ServiceContext


def order_restriction(ctx: ServiceContext, case_id: str, *, debtor_id: str, by: str,
                      categories: list[str] | None = None, reason: str = "") -> EnforcementCase:
    return _on_case(ctx, case_id, lambda case, at: case.order_restriction(debtor_id, at, by, ctx.policy, categories, reason))


def grant_exemption(ctx: ServiceContext, case_id: str, restriction_id: str, *, category: str, kind: str, reason: str,
                    valid_from: date, valid_until: date, by: str) -> EnforcementCase:
    return _on_case(ctx, case_id, lambda case, at: case.grant_exemption(
        restriction_id, category, kind, reason, valid_from, valid_until, at, by, ctx.policy))


def lift_restriction(ctx: ServiceContext, case_id: str, restriction_id: str, *, reason: str, by: str) -> EnforcementCase:
    return _on_case(ctx, case_id, lambda case, at: case.lift_restriction(restriction_id, reason, at, by, ctx.policy))
