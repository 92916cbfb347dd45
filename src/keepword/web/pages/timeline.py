"""A case's outbox events arranged for reading: one timeline per listing, the rest for the case."""

from __future__ import annotations

from dataclasses import dataclass

from keepword.feeds.views import receives

#: Payload fields worth showing next to an event, in this order (the rest is in the feed).
DETAIL_FIELDS = ("amount", "outstanding", "paid_on", "grounds", "term_months", "grace_months", "served_on",
                 "publish_on", "published_on", "expires_on", "condition", "due_on", "deleted_on", "kind",
                 "review_due", "upheld", "fix_due", "appeal_until", "decision_due", "months", "reason",
                 "correction", "lifted_on", "start_on", "categories", "outcome")


@dataclass
class Timeline:
    listing: object
    debtor_name: str
    events: list[dict]


def details(event: dict) -> list[tuple[str, object]]:
    payload = event.get("payload") or {}
    return [(name, payload[name]) for name in DETAIL_FIELDS if payload.get(name) not in (None, "", [], ())]


def listing_timelines(case, events: list[dict]) -> tuple[list[Timeline], list[dict]]:
    """Each listing's events in the order written, and the events that belong to no listing."""
    names = {p.party.id: p.party.name for p in case.debtors}
    by_listing: dict[str, list[dict]] = {listing.id: [] for listing in case.listings}
    rest = []
    for event in events:
        listing_id = (event.get("payload") or {}).get("listing_id")
        (by_listing[listing_id] if listing_id in by_listing else rest).append(event)
    timelines = [Timeline(listing, names.get(listing.debtor_id, ""), by_listing[listing.id])
                 for listing in case.listings]
    return timelines, rest


def expected_partners(event_type: str, partners: list[dict]) -> list[dict]:
    """The partners whose type receives this kind of event."""
    return [p for p in partners if receives(p["type"], event_type)]
