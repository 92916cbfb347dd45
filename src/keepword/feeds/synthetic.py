"""Synthetic feed traffic for tests, benchmarks and demos: debtors and their event stories, in bulk.

Events are real domain events written through the same outbox row format as the unit of work, but
inserted in bulk, without loading aggregates, so that tens of thousands can be produced in seconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import Engine, insert, select

from keepword.domain import events as ev
from keepword.domain.identifiers import make_id_number, mask_id_number
from keepword.domain.ids import new_id
from keepword.store import tables as t
from keepword.store.unit_of_work import outbox_row

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
ALL_CATEGORIES = ("air_and_berth", "star_hotel_nightclub_golf", "property", "office_rental", "vehicle",
                  "travel_holiday", "private_school", "high_premium_insurance", "high_speed_rail")


@dataclass(frozen=True)
class SyntheticDebtor:
    party_id: str
    case_id: str
    listing_id: str
    restriction_id: str
    name: str
    id_number: str
    phones: tuple[str, ...]
    case_number: str


def seed_debtors(engine: Engine, count: int, *, court_id: str = "330102", seed: int = 0,
                 start: int = 0) -> list[SyntheticDebtor]:
    """Insert ``count`` persons (valid ID numbers, phones) with one case each at ``court_id``."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    debtors, parties, cases = [], [], []
    for i in range(start, start + count):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        id_number = make_id_number("330102", date(1960, 1, 1) + timedelta(days=i // 1000), i % 1000)
        phones = (f"138{i:08d}",) if i % 3 else (f"138{i:08d}", f"139{i:08d}")
        debtor = SyntheticDebtor(party_id=new_id(), case_id=new_id(), listing_id=new_id(), restriction_id=new_id(),
                                 name=name, id_number=id_number, phones=phones, case_number=f"（2024）浙0102执{i + 1}号")
        debtors.append(debtor)
        parties.append({"id": debtor.party_id, "kind": "person", "name": name, "id_number": id_number,
                        "birth_date": date(1960, 1, 1) + timedelta(days=i // 1000), "sex": "M" if i % 2 else "F",
                        "phones": list(phones), "address": None})
        cases.append({"id": debtor.case_id, "court_id": court_id, "case_number": debtor.case_number,
                      "policy_id": "cn-spc", "obligation_cents": Decimal(rng.randrange(500, 2_000_000)),
                      "currency": "CNY", "obligation_text": "", "filed_on": date(2024, 1, 5),
                      "judgment_date": date(2023, 11, 1), "effective_date": date(2023, 12, 1),
                      "status": "open", "created_at": now, "updated_at": now, "version": 1})
    with engine.begin() as conn:
        if conn.scalar(select(t.courts.c.id).where(t.courts.c.id == court_id)) is None:
            conn.execute(insert(t.courts).values(id=court_id, name="杭州市上城区人民法院", province="浙江",
                                                 level="basic", timezone="Asia/Shanghai"))
        conn.execute(insert(t.parties), parties)
        conn.execute(insert(t.cases), cases)
    return debtors


def story(debtor: SyntheticDebtor, at: datetime) -> list[ev.Event]:
    """Five events about one debtor, in the order they happen: listed, restricted, term extended,
    delisted on full performance, restriction lifted."""
    day = at.date()
    base = {"case_id": debtor.case_id, "debtor_id": debtor.party_id, "actor": "user:synthetic"}
    published = {"listing_id": debtor.listing_id, "kind": "person", "name": debtor.name, "sex": "M",
                 "age": 40, "id_number_masked": mask_id_number(debtor.id_number), "obligation": "10000.00",
                 "currency": "CNY", "performed": "0.00", "conduct": ["Able to perform but refuses"],
                 "case_number": debtor.case_number, "filed_on": "2024-01-05", "court": "杭州市上城区人民法院",
                 "published_on": day.isoformat()}
    return [
        ev.DebtorListed(occurred_at=at, **base, listing_id=debtor.listing_id, grounds=(1,), published_on=day,
                        expires_on=None, published=published),
        ev.RestrictionOrdered(occurred_at=at, **base, restriction_id=debtor.restriction_id,
                              categories=ALL_CATEGORIES, ordered_on=day),
        ev.ListingTermExtended(occurred_at=at, **base, listing_id=debtor.listing_id, months=12,
                               expires_on=day + timedelta(days=365), reason="several dishonest acts"),
        ev.ListingDeleted(occurred_at=at, **base, listing_id=debtor.listing_id, condition="full_performance",
                          due_on=day + timedelta(days=3), deleted_on=day),
        ev.RestrictionLifted(occurred_at=at, **base, restriction_id=debtor.restriction_id, reason="payment",
                             lifted_on=day),
    ]


def insert_events(engine: Engine, events: list[ev.Event]) -> list[dict]:
    """Write events to the outbox in one transaction, as the unit of work would; returns the rows."""
    rows = [outbox_row(e) for e in events]
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(t.outbox), rows)
    return rows


def interleaved_stories(debtors: list[SyntheticDebtor], at: datetime, seed: int = 0) -> list[ev.Event]:
    """Every debtor's story, interleaved at random while each debtor's own events stay in order."""
    rng = random.Random(seed)
    queues = {d.party_id: story(d, at) for d in debtors}
    order = [d.party_id for d in debtors for _ in range(5)]
    rng.shuffle(order)
    return [queues[pid].pop(0) for pid in order]
