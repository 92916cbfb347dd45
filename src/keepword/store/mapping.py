"""Classical (imperative) mapping: the domain classes stay plain Python; SQLAlchemy maps them here."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.orm import composite, registry, relationship

from keepword.domain.courts import Court
from keepword.domain.cases import CaseParty, EnforcementCase, Measure, Payment
from keepword.domain.listings import Listing, Objection
from keepword.domain.money import Money
from keepword.domain.parties import BoundPerson, Party
from keepword.domain.restrictions import Exemption, RestrictionOrder
from keepword.store import tables as t

mapper_registry = registry(metadata=t.metadata)
_mapped = False
_mapping_lock = threading.Lock()
_held_back: ContextVar[bool] = ContextVar("keepword_mapping_held_back", default=False)


def _money_or_none(amount, currency):
    return None if amount is None else Money(amount, currency)


# Children come back in creation order: by date, then by id (ids sort by creation time), never in
# whatever order the database happens to return rows of the same day.
def start_mappers() -> None:
    """Map the domain classes once per process (safe when the first requests arrive together)."""
    global _mapped
    if _mapped or _held_back.get():
        return
    with _mapping_lock:
        if not _mapped:
            _map_all()
            _mapped = True


@contextmanager
def mapping_held_back() -> Iterator[None]:
    """Inside the block, start_mappers() leaves the domain classes unmapped (if nothing mapped them yet).

    For a bulk writer that builds many domain objects and writes their rows itself (the demo): a plain
    instance costs about a third of a mapped, instrumented one to build. Its units of work still give the
    transaction, the outbox and the before-commit hooks; their repositories cannot be used in the block.
    An object made unmapped cannot join one made mapped, so nothing in the same process may map the
    classes while the block runs.
    """
    token = _held_back.set(True)
    try:
        yield
    finally:
        _held_back.reset(token)


def _map_all() -> None:
    m = mapper_registry.map_imperatively
    m(Court, t.courts)
    m(BoundPerson, t.bound_persons)
    m(Party, t.parties, properties={
        "bound_persons": relationship(BoundPerson, lazy="selectin", cascade="all, delete-orphan",
                                      order_by=[t.bound_persons.c.role, t.bound_persons.c.id]),
    })
    m(CaseParty, t.case_parties, properties={
        "party": relationship(Party, lazy="joined", innerjoin=True),
    })
    m(Payment, t.payments, properties={
        "amount": composite(Money, t.payments.c.amount_cents, t.payments.c.currency),
    })
    measure_value = composite(Money, t.measures.c.value_cents, t.measures.c.value_currency)
    # Most measures (an asset search) have no value: load None rather than Money(None, None). Writes keep
    # using the accessor SQLAlchemy generated from the Money dataclass.
    measure_value.composite_class = _money_or_none
    m(Measure, t.measures, properties={"value": measure_value})
    m(Objection, t.objections)
    m(Listing, t.listings, properties={
        "objections": relationship(Objection, lazy="selectin", cascade="all, delete-orphan",
                                   order_by=[t.objections.c.filed_on, t.objections.c.id]),
    })
    m(Exemption, t.exemptions)
    m(RestrictionOrder, t.restrictions, properties={
        "exemptions": relationship(Exemption, lazy="selectin", cascade="all, delete-orphan",
                                   order_by=t.exemptions.c.id),
    })
    m(EnforcementCase, t.cases, version_id_col=t.cases.c.version, properties={
        "obligation": composite(Money, t.cases.c.obligation_cents, t.cases.c.currency),
        "parties": relationship(CaseParty, lazy="selectin", cascade="all, delete-orphan",
                                order_by=[t.case_parties.c.role, t.case_parties.c.id]),
        "payments": relationship(Payment, lazy="selectin", cascade="all, delete-orphan",
                                 order_by=[t.payments.c.paid_on, t.payments.c.id]),
        "measures": relationship(Measure, lazy="selectin", cascade="all, delete-orphan",
                                 order_by=[t.measures.c.ordered_on, t.measures.c.id]),
        "listings": relationship(Listing, lazy="selectin", cascade="all, delete-orphan",
                                 order_by=[t.listings.c.proposed_on, t.listings.c.id]),
        "restrictions": relationship(RestrictionOrder, lazy="selectin", cascade="all, delete-orphan",
                                     order_by=[t.restrictions.c.ordered_on, t.restrictions.c.id]),
    })


