"""Parties to enforcement: persons and organisations, identified by validated identifiers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from keepword.domain.errors import ValidationFailed
from keepword.domain.identifiers import age_on, parse_credit_code, parse_id_number
from keepword.domain.ids import new_id

PERSON = "person"
ORGANIZATION = "organization"

#: Persons a consumption restriction on an organisation binds (SPC 2015 provisions).
BOUND_ROLES = ("legal_representative", "principal_in_charge", "directly_responsible", "actual_controller")


@dataclass
class BoundPerson:
    role: str
    name: str
    id_number: str | None = None
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if self.role not in BOUND_ROLES:
            raise ValidationFailed("role", f"must be one of {', '.join(BOUND_ROLES)}")
        if not self.name or not self.name.strip():
            raise ValidationFailed(f"{self.role}.name", "empty")
        if self.id_number:
            self.id_number = parse_id_number(self.id_number, field=f"{self.role}.id_number").number


@dataclass
class Party:
    kind: str
    name: str
    id_number: str | None = None
    credit_code: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    phones: list[str] = field(default_factory=list)
    address: str | None = None
    bound_persons: list[BoundPerson] = field(default_factory=list)
    id: str = field(default_factory=new_id)

    @classmethod
    def person(cls, name: str, id_number: str, phones: list[str] | None = None, address: str | None = None) -> Party:
        """A natural person; the ID number is validated and gives birth date and sex."""
        name = _clean_name(name)
        ric = parse_id_number(id_number)
        return cls(kind=PERSON, name=name, id_number=ric.number, birth_date=ric.birth_date, sex=ric.sex,
                   phones=[_clean_phone(p) for p in phones or []], address=address)

    @classmethod
    def organization(cls, name: str, credit_code: str, bound_persons: list[BoundPerson] | None = None,
                     phones: list[str] | None = None, address: str | None = None) -> Party:
        """An organisation identified by its Unified Social Credit Code."""
        name = _clean_name(name)
        code = parse_credit_code(credit_code).code
        return cls(kind=ORGANIZATION, name=name, credit_code=code, bound_persons=list(bound_persons or []),
                   phones=[_clean_phone(p) for p in phones or []], address=address)

    @property
    def identifier(self) -> str:
        return self.id_number if self.kind == PERSON else self.credit_code  # type: ignore[return-value]

    @property
    def is_person(self) -> bool:
        return self.kind == PERSON

    def age_on(self, day: date) -> int | None:
        return age_on(self.birth_date, day) if self.birth_date else None

    @property
    def legal_representative(self) -> BoundPerson | None:
        return next((p for p in self.bound_persons if p.role == "legal_representative"), None)


def _clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ValidationFailed("name", "empty")
    if len(cleaned) > 200:
        raise ValidationFailed("name", "longer than 200 characters")
    return cleaned


def _clean_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if len(digits.lstrip("+")) < 5 or len(digits) > 16:
        raise ValidationFailed("phone", f"{phone!r} is not a phone number")
    return digits


# The rules Party.person / Party.organization apply to names and phone numbers, public for bulk
# paths (case import) that check rows without building a Party for each.
clean_name = _clean_name
clean_phone = _clean_phone
