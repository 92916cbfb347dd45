"""Use cases of enforcement cases: register, pay, measures, warnings, outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from keepword.domain.cases import EnforcementCase
from keepword.domain.errors import AlreadyExists, ConcurrencyConflict, ValidationFailed
from keepword.domain.money import Money
from keepword.domain.parties import BoundPerson, Party
from keepword.services.context import ServiceContext


@dataclass
class PartyInput:
    """A party as a court hands it over: a person by ID number, an organisation by credit code."""

    kind: str
    name: str
    identifier: str
    phones: list[str] = field(default_factory=list)
    address: str | None = None
    bound_persons: list[dict] = field(default_factory=list)

    def to_party(self) -> Party:
        if self.kind == "person":
            return Party.person(self.name, self.identifier, self.phones, self.address)
        if self.kind == "organization":
            bound = [BoundPerson(role=b["role"], name=b["name"], id_number=b.get("id_number")) for b in self.bound_persons]
            return Party.organization(self.name, self.identifier, bound, self.phones, self.address)
        raise ValidationFailed("kind", "must be 'person' or 'organization'")


def resolve_party(uow, data: PartyInput) -> Party:
    """The registered party with this identifier, or a new one; the identifier is the key, never the name."""
    candidate = data.to_party()
    existing = uow.parties.by_identifier(candidate.identifier)
    if existing is not None:
        for phone in candidate.phones:
            if phone not in existing.phones:
                existing.phones = existing.phones + [phone]
        return existing
    uow.parties.add(candidate)
    return candidate


def register_judgment(ctx: ServiceContext, *, court_id: str, case_number: str, creditors: list[PartyInput],
                      debtors: list[PartyInput], amount: str, judgment_date: date, effective_date: date,
                      filed_on: date, by: str, currency: str | None = None, obligation_text: str = "",
                      warn: bool = True) -> EnforcementCase:
    """Register an effective judgment; the execution notice with the listing warning goes out by default."""
    money = Money.parse(amount, currency or ctx.policy.currency)
    with ctx.uow() as uow:
        uow.courts.get(court_id)
        if uow.cases.exists(court_id, case_number.strip()):
            raise AlreadyExists(f"case_number: {court_id} already has case {case_number}", field="case_number")
        creditor_parties = [resolve_party(uow, c) for c in creditors]
        debtor_parties = [resolve_party(uow, d) for d in debtors]
        at = ctx.clock.now()
        case = EnforcementCase.register(court_id=court_id, case_number=case_number, creditors=creditor_parties,
                                        debtors=debtor_parties, obligation=money, judgment_date=judgment_date,
                                        effective_date=effective_date, filed_on=filed_on, at=at, by=by,
                                        obligation_text=obligation_text, policy=ctx.policy)
        if warn:
            case.issue_warning(at, by, ctx.policy)
        uow.cases.add(case)
        uow.commit()
        return case


def issue_warning(ctx: ServiceContext, case_id: str, by: str) -> EnforcementCase:
    return _on_case(ctx, case_id, lambda case, at: case.issue_warning(at, by, ctx.policy))


def record_payment(ctx: ServiceContext, case_id: str, *, amount: str, paid_on: date, by: str,
                   payer_id: str | None = None, note: str = "", expected_version: int | None = None) -> EnforcementCase:
    """Record a payment; full performance fulfils the case, deletes its listings and lifts restrictions."""
    def step(case, at):
        case.record_payment(Money.parse(amount, case.obligation.currency), paid_on, at, by, ctx.policy,
                            payer_id=payer_id, note=note)
    return _on_case(ctx, case_id, step, expected_version)


def order_measure(ctx: ServiceContext, case_id: str, *, kind: str, by: str, debtor_id: str | None = None,
                  value: str | None = None, assets_found: bool | None = None, note: str = "") -> EnforcementCase:
    def step(case, at):
        money = Money.parse(value, case.obligation.currency, field="value") if value is not None else None
        case.order_measure(kind, at, by, ctx.policy, debtor_id=debtor_id, value=money, assets_found=assets_found,
                           note=note)
    return _on_case(ctx, case_id, step)


def end_measure(ctx: ServiceContext, case_id: str, measure_id: str, by: str) -> EnforcementCase:
    return _on_case(ctx, case_id, lambda case, at: case.end_measure(measure_id, at, by, ctx.policy))


def close_case(ctx: ServiceContext, case_id: str, *, outcome: str, by: str, reason: str = "",
               expected_version: int | None = None) -> EnforcementCase:
    """End enforcement (settled, fruitless, suspended, terminated, not enforced): listings are deleted."""
    return _on_case(ctx, case_id, lambda case, at: case.close(outcome, at, by, ctx.policy, reason), expected_version)


def _on_case(ctx: ServiceContext, case_id: str, step, expected_version: int | None = None) -> EnforcementCase:
    with ctx.uow() as uow:
        case = uow.cases.get(case_id)
        if expected_version is not None and case.version != expected_version:
            raise ConcurrencyConflict(f"case {case.case_number} is at version {case.version}, not {expected_version}: "
                                      "someone else changed it; reload and retry", current_version=case.version)
        step(case, ctx.clock.now())
        uow.commit()
        return case
