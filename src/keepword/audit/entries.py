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
        at = self.at.astimezone(timezone.utc).isoformat()
        return json.loads(json.dumps({
            "at": at, "actor": self.actor[:100], "action": self.action[:60], "subject_type": self.subject_type,
            "subject_id": self.subject_id[:64] if self.subject_id else None,
            "purpose": self.purpose[:200] if self.purpose else None, "details": self.details,
        }))


def entry_for_event(event: Event) -> AuditEntry:
    """The audit entry of one domain event: the actor, the case, and the event's non-personal fields."""
    payload = event.payload()
    details = {k: v for k, v in payload.items()
               if k not in ("occurred_at", "actor", "case_id") and (k in _KEPT_FIELDS or k.endswith(_KEPT_SUFFIXES))}
    return AuditEntry(at=event.occurred_at, actor=event.actor or "system", action=f"event.{event.type}",
                      subject_type="case", subject_id=event.case_id, details=details)
