"""What goes into one audit entry: who did what to which subject, and why; never personal data."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from keepword.domain.events import Event

# Event fields kept in the audit log. Free text (reasons, statements, corrections) and the published
# record (names, masked ID numbers) stay out: the chain cannot be purged, so it must hold no personal data.
_KEPT_FIELDS = frozenset({
    "amount", "currency", "outstanding", "paid_total", "outcome", "kind", "grounds", "condition", "upheld",
    "categories", "category", "signed_by", "months", "term_months", "grace_months", "case_number",
})
_KEPT_SUFFIXES = ("_id", "_ids", "_on", "_due", "_until", "_from", "_deadline")


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    subject_type: str | None = None
    subject_id: str | None = None
    purpose: str | None = None
    details: dict = field(default_factory=dict)

    def content(self) -> dict:
        """The hashed fields, in their JSON form (what a reader of the table gets back)."""
        return {"at": utc_text(self.at), "actor": self.actor[:100], "action": self.action[:60],
                "subject_type": json_form(self.subject_type),
                "subject_id": self.subject_id[:64] if self.subject_id else None,
                "purpose": self.purpose[:200] if self.purpose else None, "details": json_form(self.details)}


# The last instant written as UTC text, with that text: the entries of one append mostly share theirs.
_last_instant: tuple[datetime | None, str] = (None, "")


def utc_text(at: datetime) -> str:
    """``at`` in UTC, ISO text (as hashed)."""
    global _last_instant
    last = _last_instant
    if last[0] is at:
        return last[1]
    text = at.astimezone(timezone.utc).isoformat()
    _last_instant = (at, text)  # one tuple, swapped whole: a concurrent reader sees old or new, never half
    return text


_SCALARS = frozenset({str, int, float, bool, type(None)})


def json_form(value):
    """``value`` as a reader of its JSON text gets it back: ``value`` itself when it is JSON already (plain
    dicts with text keys, lists, scalars), else its JSON round trip (tuples become lists, keys text)."""
    return value if _is_json(value) else json.loads(json.dumps(value))


def _is_json(value) -> bool:
    kind = value.__class__
    if kind in _SCALARS:
        return True
    if kind is dict:
        return all(k.__class__ is str and (v.__class__ in _SCALARS or _is_json(v)) for k, v in value.items())
    if kind is list:
        return all(v.__class__ in _SCALARS or _is_json(v) for v in value)
    return False


def entry_for_event(event: Event) -> AuditEntry:
    """The audit entry of one domain event: the actor, the case, and the event's non-personal fields."""
    return AuditEntry(at=event.occurred_at, actor=event.actor or "system", action=f"event.{event.type}",
                      subject_type="case", subject_id=event.case_id, details=event_details(event))


def event_details(event: Event) -> dict:
    """The details of an event's audit entry in their JSON form (``json_form``): its kept payload fields."""
    payload = event.payload()
    kept = _KEPT_BY_TYPE.get(event.__class__)
    if kept is None:
        kept = _KEPT_BY_TYPE[event.__class__] = _kept_names(payload)
    details = {k: payload[k] for k in kept}
    for value in details.values():
        if value.__class__ not in _SCALARS and not _is_json(value):
            return json_form(details)
    return details


# The payload fields kept, per event class (a class's payload always has the same fields, in the same order).
_KEPT_BY_TYPE: dict[type, tuple[str, ...]] = {}


def _kept_names(payload: dict) -> tuple[str, ...]:
    return tuple(k for k in payload
                 if k not in ("occurred_at", "actor", "case_id") and (k in _KEPT_FIELDS or k.endswith(_KEPT_SUFFIXES)))
