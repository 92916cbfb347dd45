"""Classical (imperative) mapping: the domain classes stay plain Python; SQLAlchemy maps them here."""

from __future__ import annotations


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


def start_mappers() -> None:
    """Map the domain classes once per process."""
    global _mapped
    if _mapped:
        return
    _mapped = True
    m = mapper_registry.map_imperatively
    m(Court, t.courts)
    m(BoundPerson, t.bound_persons)
    m(Party, t.parties, properties={
        "bound_persons": relationship(BoundPerson, lazy="selectin", cascade="all, delete-orphan",
                                      order_by=t.bound_persons.c.role),
    })
    m(CaseParty, t.case_parties, properties={
        "party": relationship(Party, lazy="joined", innerjoin=True),
    })
    m(Payment, t.payments, properties={
        "amount": composite(Money, t.payments.c.amount_cents, t.payments.c.currency),
    })
    m(Measure, t.measures, properties={
        "value": composite(Money, t.measures.c.value_cents, t.measures.c.value_currency),
    })
    m(Objection, t.objections)
    m(Listing, t.listings, properties={
        "objections": relationship(Objection, lazy="selectin", cascade="all, delete-orphan",
                                   order_by=t.objections.c.filed_on),
    })
    m(Exemption, t.exemptions)
    m(RestrictionOrder, t.restrictions, properties={
        "exemptions": relationship(Exemption, lazy="selectin", cascade="all, delete-orphan"),
    })
    m(EnforcementCase, t.cases, version_id_col=t.cases.c.version, properties={
        "obligation": composite(Money, t.cases.c.obligation_cents, t.cases.c.currency),
        "parties": relationship(CaseParty, lazy="selectin", cascade="all, delete-orphan",
                                order_by=[t.case_parties.c.role, t.case_parties.c.id]),
        "payments": relationship(Payment, lazy="selectin", cascade="all, delete-orphan",
                                 order_by=t.payments.c.paid_on),
        "measures": relationship(Measure, lazy="selectin", cascade="all, delete-orphan",
                                 order_by=t.measures.c.ordered_on),
        "listings": relationship(Listing, lazy="selectin", cascade="all, delete-orphan",
                                 order_by=t.listings.c.proposed_on),
        "restrictions": relationship(RestrictionOrder, lazy="selectin", cascade="all, delete-orphan",
                                     order_by=t.restrictions.c.ordered_on),
    })


