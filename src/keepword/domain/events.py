"""Domain events: facts in the past tense, recorded by aggregates and written to the outbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter


@dataclass(frozen=True, kw_only=True)
class Event:
    occurred_at: datetime
    case_id: str
    debtor_id: str | None = None
    actor: str | None = None

    @property
    def type(self) -> str:
        return type(self).__name__

    def payload(self) -> dict:
        """JSON-ready fields: dates as ISO text, amounts as strings.

        Made once per event and kept (the fields never change): the outbox row and the audit entry of
        an event both need it. The dict is shared, so a caller must not change it.
        """
        made = self.__dict__.get("_payload")
        if made is not None:
            return made
        cls = type(self)
        names, get = _FIELDS.get(cls) or _fields_of(cls)
        out = dict(zip(names, get(self)))
        for name, value in out.items():  # values replaced in place: the keys and their order stay
            kind = value.__class__
            if kind in _AS_IS:
                continue
            if kind is datetime:  # occurred_at, on every event
                last = _last_instant
                out[name] = last[1] if last[0] is value else _remember_instant(value)
            elif kind is tuple:  # party ids, grounds, categories
                out[name] = [v if v.__class__ in _AS_IS else _plain(v) for v in value]
            else:
                out[name] = _plain(value)
        self.__dict__["_payload"] = out  # beside the fields: not compared, hashed or shown by repr
        return out


# Every event becomes a payload for the outbox (and the audit log), thousands per bulk import: the field
# names and one getter of all their values are made once per class, and plain values skip _plain.
_FIELDS: dict[type, tuple[tuple[str, ...], Callable[[object], tuple]]] = {}
_AS_IS = frozenset({str, int, float, bool, type(None)})
# The last occurred_at written as text, with that text: the events of one batch share their instant.
_last_instant: tuple[datetime | None, str] = (None, "")


def _remember_instant(value: datetime) -> str:
    global _last_instant
    text = value.isoformat()
    _last_instant = (value, text)  # one tuple, swapped whole: a concurrent reader sees old or new, never half
    return text


def _fields_of(cls: type) -> tuple[tuple[str, ...], Callable[[object], tuple]]:
    names = tuple(f.name for f in fields(cls))  # every event has occurred_at, case_id, debtor_id and actor
    found = _FIELDS[cls] = (names, attrgetter(*names))
    return found


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (tuple, list, frozenset, set)):
        items = sorted(value) if isinstance(value, (frozenset, set)) else value
        return [v if v.__class__ in _AS_IS else _plain(v) for v in items]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True, kw_only=True)
class JudgmentRegistered(Event):
    court_id: str
    case_number: str
    amount: Decimal
    currency: str
    creditor_ids: tuple[str, ...] = ()
    debtor_ids: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class WarningIssued(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class PaymentRecorded(Event):
    payment_id: str
    amount: Decimal
    currency: str
    paid_on: date
    outstanding: Decimal


@dataclass(frozen=True, kw_only=True)
class CaseFulfilled(Event):
    paid_total: Decimal


@dataclass(frozen=True, kw_only=True)
class CaseClosed(Event):
    outcome: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class MeasureOrdered(Event):
    measure_id: str
    kind: str


@dataclass(frozen=True, kw_only=True)
class MeasureEnded(Event):
    measure_id: str
    kind: str


@dataclass(frozen=True, kw_only=True)
class ListingProposed(Event):
    listing_id: str
    grounds: tuple[int, ...]
    applicant_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class ListingProposalRejected(Event):
    listing_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ListingDecided(Event):
    listing_id: str
    grounds: tuple[int, ...]
    term_months: int | None
    signed_by: str
    reason: str
    grace_months: int = 0


@dataclass(frozen=True, kw_only=True)
class DecisionServed(Event):
    listing_id: str
    served_on: date
    publish_on: date


@dataclass(frozen=True, kw_only=True)
class DebtorListed(Event):
    """The listing is published: partners apply it from now on."""

    listing_id: str
    grounds: tuple[int, ...]
    published_on: date
    expires_on: date | None
    published: dict = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ListingTermExtended(Event):
    listing_id: str
    months: int
    expires_on: date
    reason: str


@dataclass(frozen=True, kw_only=True)
class DeletionScheduled(Event):
    listing_id: str
    condition: str
    due_on: date


@dataclass(frozen=True, kw_only=True)
class ListingDeleted(Event):
    """The debtor is delisted: unpublished, sealed, no longer used for any measure."""

    listing_id: str
    condition: str
    due_on: date
    deleted_on: date


@dataclass(frozen=True, kw_only=True)
class ListingRevoked(Event):
    listing_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ListingCorrected(Event):
    listing_id: str
    correction: str


@dataclass(frozen=True, kw_only=True)
class ObjectionFiled(Event):
    listing_id: str
    objection_id: str
    kind: str
    review_due: date


@dataclass(frozen=True, kw_only=True)
class ObjectionDecided(Event):
    listing_id: str
    objection_id: str
    upheld: bool
    fix_due: date | None
    appeal_until: date


@dataclass(frozen=True, kw_only=True)
class AppealFiled(Event):
    listing_id: str
    objection_id: str
    decision_due: date


@dataclass(frozen=True, kw_only=True)
class AppealDecided(Event):
    listing_id: str
    objection_id: str
    upheld: bool
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class RestrictionOrdered(Event):
    restriction_id: str
    categories: tuple[str, ...]
    ordered_on: date


@dataclass(frozen=True, kw_only=True)
class RestrictionExemptionGranted(Event):
    restriction_id: str
    category: str
    reason: str
    valid_from: date
    valid_until: date


@dataclass(frozen=True, kw_only=True)
class RestrictionLifted(Event):
    restriction_id: str
    reason: str
    lifted_on: date


@dataclass(frozen=True, kw_only=True)
class RingbackOrdered(Event):
    measure_id: str
    start_on: date
    sms_warning_deadline: date | None = None


#: Events that end a punishment somewhere: partners must apply and acknowledge these.
RELIEF_EVENTS = frozenset({"ListingDeleted", "ListingRevoked", "RestrictionLifted"})
