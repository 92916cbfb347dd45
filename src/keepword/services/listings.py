"""Use cases of the list of dishonest judgment debtors: the listing steps, objections and appeals."""

from __future__ import annotations

from datetime import date

from keepword.domain.case_listing import Bar
from keepword.domain.cases import EnforcementCase
from keepword.services.cases import _on_case
from keepword.services.context import ServiceContext


def _blocks(uow, ctx: ServiceContext, debtor_id: str, at):
    today = at.astimezone(ctx.policy.zone).date()
    return uow.cases.relisting_blocks(debtor_id, ctx.policy.relisting_block_months, today)


def listing_bars(ctx: ServiceContext, case_id: str, debtor_id: str, grounds: list[int],
                 applicant_id: str | None = None) -> list[Bar]:
    """The bars that apply to a proposal, shown before it is submitted."""
    with ctx.uow() as uow:
        case = uow.cases.get(case_id)
        at = ctx.clock.now()
        return case.listing_bars(debtor_id, grounds, at, ctx.policy, applicant_id, _blocks(uow, ctx, debtor_id, at))


def propose_listing(ctx: ServiceContext, case_id: str, *, debtor_id: str, grounds: list[int], by: str,
                    applicant_id: str | None = None, note: str = "") -> EnforcementCase:
    with ctx.uow() as uow:
        case = uow.cases.get(case_id)
        at = ctx.clock.now()
        case.propose_listing(debtor_id, grounds, at, by, ctx.policy, applicant_id, note,
                             _blocks(uow, ctx, debtor_id, at))
        uow.commit()
        return case


def reject_proposal(ctx: ServiceContext, listing_id: str, *, reason: str, by: str) -> EnforcementCase:
    return _on_listing(ctx, listing_id, lambda case, at: case.reject_proposal(listing_id, reason, at, by))


def decide_listing(ctx: ServiceContext, listing_id: str, *, signed_by: str, signer_role: str, reason: str,
                   grace_months: int = 0) -> EnforcementCase:
    """The reasoned, signed decision with its term."""
    with ctx.uow() as uow:
        case = uow.cases.with_listing(listing_id)
        at = ctx.clock.now()
        debtor_id = case.listing(listing_id).debtor_id
        case.decide_listing(listing_id, at, signed_by, signer_role, reason, ctx.policy, grace_months,
                            _blocks(uow, ctx, debtor_id, at))
        uow.commit()
        return case


def serve_decision(ctx: ServiceContext, listing_id: str, *, served_on: date, by: str) -> EnforcementCase:
    def step(case, at, uow):
        court = uow.courts.find(case.court_id)
        case.serve_decision(listing_id, served_on, at, by, ctx.policy, court.name if court else None)
    return _on_listing(ctx, listing_id, step, with_uow=True)


def extend_term(ctx: ServiceContext, listing_id: str, *, months: int, reason: str, by: str) -> EnforcementCase:
    return _on_listing(ctx, listing_id, lambda case, at: case.extend_listing_term(listing_id, months, reason, at, by, ctx.policy))


def delete_listing(ctx: ServiceContext, listing_id: str, *, condition: str, by: str,
                   requested_by: str | None = None) -> EnforcementCase:
    """Delete on one of the deletion conditions (scheduled with its deadline and carried out at once)."""
    return _on_listing(ctx, listing_id, lambda case, at: case.delete_listing(
        listing_id, condition, at, by, ctx.policy, requested_by))


def schedule_deletion(ctx: ServiceContext, listing_id: str, *, condition: str, by: str,
                      requested_by: str | None = None) -> EnforcementCase:
    return _on_listing(ctx, listing_id, lambda case, at: case.schedule_listing_deletion(
        listing_id, condition, at, by, ctx.policy, requested_by))


def revoke_listing(ctx: ServiceContext, listing_id: str, *, reason: str, by: str) -> EnforcementCase:
    return _on_listing(ctx, listing_id, lambda case, at: case.revoke_listing(listing_id, reason, at, by, ctx.policy))


def correct_listing(ctx: ServiceContext, listing_id: str, *, correction: str, by: str) -> EnforcementCase:
    return _on_listing(ctx, listing_id, lambda case, at: case.correct_listing(listing_id, correction, at, by))


def file_objection(ctx: ServiceContext, listing_id: str, *, kind: str, statement: str, by: str) -> EnforcementCase:
    return _on_listing(ctx, listing_id, lambda case, at: case.file_objection(listing_id, kind, statement, at, by, ctx.policy))


def decide_objection(ctx: ServiceContext, listing_id: str, objection_id: str, *, upheld: bool, note: str, by: str,
                     correction: str = "") -> EnforcementCase:
    return _on_listing(ctx, listing_id, lambda case, at: case.decide_objection(
        listing_id, objection_id, upheld, note, at, by, ctx.policy, correction))


def appeal_objection(ctx: ServiceContext, listing_id: str, objection_id: str, *, by: str) -> EnforcementCase:
    return _on_listing(ctx, listing_id, lambda case, at: case.appeal_objection(listing_id, objection_id, at, by, ctx.policy))


def decide_appeal(ctx: ServiceContext, listing_id: str, objection_id: str, *, upheld: bool, by: str,
                  correction: str = "", reason: str = "") -> EnforcementCase:
    return _on_listing(ctx, listing_id, lambda case, at: case.decide_appeal(
        listing_id, objection_id, upheld, at, by, ctx.policy, correction, reason))


def _on_listing(ctx: ServiceContext, listing_id: str, step, with_uow: bool = False) -> EnforcementCase:
    with ctx.uow() as uow:
        case = uow.cases.with_listing(listing_id)
        at = ctx.clock.now()
        if with_uow:
            step(case, at, uow)
        else:
            step(case, at)
        uow.commit()
        return case
