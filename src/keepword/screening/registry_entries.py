"""What the screening index holds (registry entries) and the changes a feed brings (events).

REGISTRY.csv needs the columns ``entry_id, kind, name, id_number, birth_date``; these optional
columns are read when present:

* ``categories``: restriction categories separated by ``;`` (default: ``dishonest_debtor``),
* ``in_force_from``, ``in_force_until``: dates the restriction is in force (open when empty),
* ``legal_representative``, ``principal_in_charge``, ``directly_responsible``,
  ``actual_controller``: for an organisation, ID numbers of its bound persons (``;`` between
  several). A bound person is found as restricted through their own ID number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from keepword.domain.errors import ValidationFailed
from keepword.domain.parties import BOUND_ROLES, ORGANIZATION, PERSON

#: Category of an entry whose row names none: it is on the list of dishonest judgment debtors.
DEFAULT_CATEGORY = "dishonest_debtor"
KINDS = (PERSON, ORGANIZATION)
_KIND_ALIASES = {"person": PERSON, "p": PERSON, "individual": PERSON, "natural_person": PERSON,
                 "organization": ORGANIZATION, "organisation": ORGANIZATION, "org": ORGANIZATION,
                 "o": ORGANIZATION, "company": ORGANIZATION, "legal_person": ORGANIZATION}


def parse_kind(raw: str | None, field: str = "kind") -> str:
    """``person`` or ``organization`` (a few aliases accepted), ``""`` when empty."""
    text = (raw or "").strip().lower()
    if not text:
        return ""
    try:
        return _KIND_ALIASES[text]
    except KeyError:
        raise ValidationFailed(field, "format", f"{field}: expected person or organization, got {raw!r}") from None


def parse_date(raw: str | date | None, field: str) -> date | None:
    """A date from ``YYYY-MM-DD``, ``YYYYMMDD`` or ``YYYY/MM/DD``; ``None`` when empty."""
    if raw is None or isinstance(raw, date):
        return raw
    text = raw.strip()
    if not text:
        return None
    digits = text.replace("-", "").replace("/", "").replace(".", "")
    if len(digits) == 8 and digits.isdigit():
        try:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            pass
    raise ValidationFailed(field, "format", f"{field}: {raw!r} is not a date (YYYY-MM-DD)")


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """One entry of the list as the index takes it in.

    ``identifier`` is the ID number of a person or the credit code of an organisation.
    ``bound_persons`` pairs a role from :data:`BOUND_ROLES` with an ID number.
    """

    entry_id: str
    kind: str
    name: str = ""
    identifier: str = ""
    birth_date: date | None = None
    categories: tuple[str, ...] = (DEFAULT_CATEGORY,)
    in_force_from: date | None = None
    in_force_until: date | None = None
    bound_persons: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_row(cls, row: Mapping[str, str | None]) -> RegistryEntry:
        """Read a REGISTRY.csv row (see the module docstring for the columns)."""
        entry_id = (row.get("entry_id") or "").strip()
        if not entry_id:
            raise ValidationFailed("entry_id", "missing", "entry_id: every registry row needs one")
        kind = parse_kind(row.get("kind")) or PERSON
        categories = tuple(c.strip() for c in (row.get("categories") or "").split(";") if c.strip())
        bound = tuple(
            (role, number.strip())
            for role in BOUND_ROLES
            for number in (row.get(role) or "").split(";")
            if number.strip()
        )
        return cls(
            entry_id=entry_id,
            kind=kind,
            name=(row.get("name") or "").strip(),
            identifier=(row.get("id_number") or row.get("credit_code") or "").strip(),
            birth_date=parse_date(row.get("birth_date"), "birth_date"),
            categories=categories or (DEFAULT_CATEGORY,),
            in_force_from=parse_date(row.get("in_force_from"), "in_force_from"),
            in_force_until=parse_date(row.get("in_force_until"), "in_force_until"),
            bound_persons=bound,
        )


# --- changes a feed follower applies to a live index ---------------------------------------------


@dataclass(frozen=True, slots=True)
class EntryListed:
    """An entry was put on the list (or replaced: the same ``entry_id`` listed again)."""

    entry: RegistryEntry


@dataclass(frozen=True, slots=True)
class EntryDelisted:
    """An entry was taken off the list: it must no longer be found."""

    entry_id: str


@dataclass(frozen=True, slots=True)
class RestrictionLifted:
    """One restriction category of an entry was lifted, or all of them (``category=None``).

    An entry with no category left in force is no longer found.
    """

    entry_id: str
    category: str | None = None


RegistryEvent = EntryListed | EntryDelisted | RestrictionLifted
