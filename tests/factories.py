"""Test data builders: valid parties, registered cases and listings at a given step of the procedure.

Every builder produces data the real validators accept (checksummed ID numbers and credit codes),
so that a test fails on the rule it is about and not on its fixture.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from keepword.domain.cases import EnforcementCase
from keepword.domain.identifiers import make_credit_code, make_id_number
from keepword.domain.listings import Listing
from keepword.domain.money import Money
from keepword.domain.parties import BoundPerson, Party
from keepword.domain.policy import load_policy
from keepword.services.cases import PartyInput

POLICY = load_policy("cn-spc")
SHANGHAI = ZoneInfo("Asia/Shanghai")
COURT_ID = "330102"
OFFICER = "officer:wang"
PRESIDENT = "president:li"

# Region codes taken from real numbers: valid for every birth year the tests use.
_REGIONS = ("110101", "310101", "330102", "440305", "510104", "420102", "320102")
_serial = itertools.count(1)


def at(day: date, hour: int = 10) -> datetime:
    """An aware UTC timestamp that falls on ``day`` (at ``hour`` o'clock) in the court's time zone."""
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI).astimezone(timezone.utc)


def id_number(birth: date = date(1980, 5, 17)) -> str:
    """A valid ID number for ``birth``, different on every call (within a test run)."""
    n = next(_serial)
    region = _REGIONS[(n // 1000) % len(_REGIONS)]
    return make_id_number(region, birth, n % 1000)


def credit_code() -> str:
    """A valid Unified Social Credit Code, different on every call."""
    return make_credit_code("9", "1", "330102", f"{next(_serial):08d}")


def person(name: str = "张三", birth: date = date(1980, 5, 17), phones: list[str] | None = None) -> Party:
    return Party.person(name, id_number(birth), phones=phones)


def bound_persons() -> list[BoundPerson]:
    """The four persons a restriction on an organisation binds, in the order the store sorts them (by role)."""
    return [
        BoundPerson("actual_controller", "赵六", id_number(date(1965, 2, 3))),
        BoundPerson("directly_responsible", "王五", id_number(date(1970, 4, 5))),
        BoundPerson("legal_representative", "李四", id_number(date(1975, 6, 7))),
        BoundPerson("principal_in_charge", "钱七"),
    ]


def organization(name: str = "杭州某某贸易有限公司", with_bound_persons: bool = True) -> Party:
    return Party.organization(name, credit_code(), bound_persons() if with_bound_persons else [],
                              phones=["0571-87000000"], address="杭州市上城区某路1号")


def new_case(on: date = date(2024, 3, 4), *, debtors: list[Party] | None = None,
             creditors: list[Party] | None = None, amount: str = "100000.00", warned: bool = True,
             case_number: str | None = None, court_id: str = COURT_ID) -> EnforcementCase:
    """A case registered on ``on`` (judgment effective a month before), warned unless ``warned=False``."""
    when = at(on)
    case = EnforcementCase.register(
        court_id=court_id, case_number=case_number or f"({on.year})浙0102执{next(_serial)}号",
        creditors=creditors or [organization("某银行股份有限公司", with_bound_persons=False)],
        debtors=debtors or [person()], obligation=Money.parse(amount),
        judgment_date=date(on.year - 1, 12, 1), effective_date=date(on.year - 1, 12, 20), filed_on=on,
        at=when, by=OFFICER, policy=POLICY)
    if warned:
        case.issue_warning(when, OFFICER, POLICY)
    return case


def debtor_id(case: EnforcementCase, index: int = 0) -> str:
    return case.debtors[index].party.id


def creditor_id(case: EnforcementCase, index: int = 0) -> str:
    return case.creditors[index].party.id


def decided(case: EnforcementCase, on: date, grounds: tuple[int, ...] = (3,), *, debtor: str | None = None,
            applicant_id: str | None = None, grace_months: int = 0) -> Listing:
    """Propose and decide a listing on ``on``."""
    listing = case.propose_listing(debtor or debtor_id(case), list(grounds), at(on), OFFICER, POLICY,
                                   applicant_id=applicant_id)
    return case.decide_listing(listing.id, at(on), PRESIDENT, "court_president", "refuses to perform", POLICY,
                               grace_months=grace_months)


def published(case: EnforcementCase, on: date, grounds: tuple[int, ...] = (3,), *, debtor: str | None = None,
              applicant_id: str | None = None) -> Listing:
    """Propose, decide, serve and publish a listing, all on ``on`` (no grace period)."""
    listing = decided(case, on, grounds, debtor=debtor, applicant_id=applicant_id)
    case.serve_decision(listing.id, on, at(on), OFFICER, POLICY)
    assert listing.is_published
    return listing


def party_input(party: Party) -> PartyInput:
    """The service-level input for a party built by the factories above."""
    bound = [{"role": b.role, "name": b.name, "id_number": b.id_number} for b in party.bound_persons]
    return PartyInput(kind=party.kind, name=party.name, identifier=party.identifier, phones=list(party.phones),
                      address=party.address, bound_persons=bound)
