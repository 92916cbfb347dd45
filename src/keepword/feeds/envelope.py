"""CloudEvents 1.0 envelopes (structured JSON) for feed events, as pulled and as delivered by webhook."""

from __future__ import annotations

from datetime import timezone

from keepword.feeds.refs import Refs
from keepword.feeds.views import subject_of

TYPE_PREFIX = "org.keepword."


def ordering_key(event) -> str:
    """Events with the same key reach a partner in feed order: the debtor, else the case."""
    return event.debtor_id or f"case:{event.case_id}"


def cloud_event(event, data: dict, refs: Refs) -> dict:
    """The CloudEvents-shaped envelope of one outbox event; ``data`` is the partner type's view."""
    court_id = refs.case_courts.get(event.case_id or "")
    return {
        "specversion": "1.0",
        "id": event.event_id,
        "source": f"keepword/{court_id or 'registry'}",
        "type": TYPE_PREFIX + event.type,
        "subject": subject_of(event),
        "time": event.occurred_at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "position": event.position,          # extension: the feed position (gap-free, increasing)
        "partitionkey": ordering_key(event),  # extension: events with one key never overtake each other
        "data": data,
    }
