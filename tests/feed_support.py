"""Helpers of the feed tests: partners, a debtor listed through the real domain, the feed as one partner sees it."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import insert

from factories import OFFICER, POLICY, at, debtor_id, new_case, person, published
from keepword.domain.ids import new_id
from keepword.feeds.pull import feed_page
from keepword.services.cases import record_payment
from keepword.store import tables as t

DAY = date(2024, 3, 4)  # the ``clock`` fixture's day in Shanghai (a Monday)
PHONES = ["13812345678", "13900001111"]


def add_partner(engine, partner_type: str, *, created_at: datetime | None = None, scopes=("feed:read",)) -> str:
    partner_id = new_id()
    with engine.begin() as conn:
        conn.execute(insert(t.partners).values(id=partner_id, name=f"{partner_type} {partner_id[-4:]}",
                                               type=partner_type, scopes=list(scopes), active=True,
                                               created_at=created_at or datetime(2024, 1, 1, tzinfo=timezone.utc)))
    return partner_id


def listed_debtor(ctx, *, ringback: bool = True):
    """A person listed (published, restricted) on DAY, with a ringback order; returns the case."""
    case = new_case(DAY, debtors=[person("张三", phones=PHONES)])
    published(case, DAY)
    if ringback:
        case.order_measure("ringback_notice", at(DAY), OFFICER, POLICY, debtor_id=debtor_id(case))
    with ctx.uow() as uow:
        uow.cases.add(case)
        uow.commit()
    return case


def pay_in_full(ctx, case) -> None:
    """Full performance: the listing is deleted and the restriction lifted."""
    record_payment(ctx, case.id, amount="100000.00", paid_on=DAY, by="clerk:zhou")


def events_for(engine, partner_type: str) -> list[dict]:
    """The whole feed as ``partner_type`` sees it."""
    events, after = [], 0
    while True:
        page = feed_page(engine, partner_type, after, 100)
        events.extend(page.events)
        if not page.as_dict()["more"]:
            return events
        after = page.next


def by_type(events: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for e in events:
        grouped.setdefault(e["type"].removeprefix("org.keepword."), []).append(e)
    return grouped
