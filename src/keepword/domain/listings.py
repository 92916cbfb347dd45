"""A debtor's listing on the list of dishonest judgment debtors: the state machine of RULES.md §1."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from keepword.domain.errors import DeadlinePassed, TransitionNotAllowed, ValidationFailed
from keepword.domain.ids import new_id

PROPOSED = "proposed"
REJECTED = "rejected"
DECIDED = "decided"
SERVED = "served"
PUBLISHED = "published"
DELETED = "deleted"
REVOKED = "revoked"

#: States in which the listing is in force (decided, possibly awaiting service or publication).
IN_FORCE = frozenset({DECIDED, SERVED, PUBLISHED})
ENDED = frozenset({REJECTED, DELETED, REVOKED})

OBJECTION_KINDS = ("should_not_be_listed", "wrong_details", "should_be_deleted")


@dataclass
class Objection:
    listing_id: str
    kind: str
    statement: str
    filed_on: date
    review_due: date
    decided_on: date | None = None
    decided_by: str | None = None
    upheld: bool | None = None
    decision_note: str | None = None
    fix_due: date | None = None
    appeal_until: date | None = None
    appealed_on: date | None = None
    appeal_due: date | None = None
    appeal_decided_on: date | None = None
    appeal_upheld: bool | None = None
    appeal_decided_by: str | None = None
    id: str = field(default_factory=new_id)

    @property
    def open(self) -> bool:
        return self.decided_on is None or (self.appealed_on is not None and self.appeal_decided_on is None)

    def decide(self, on: date, by: str, upheld: bool, note: str, fix_due: date | None, appeal_until: date) -> None:
        if self.decided_on is not None:
            raise TransitionNotAllowed("objection: already decided")
        self.decided_on, self.decided_by, self.upheld, self.decision_note = on, by, upheld, note
        self.fix_due, self.appeal_until = fix_due, appeal_until

    def appeal(self, on: date, appeal_due: date) -> None:
        if self.decided_on is None:
            raise TransitionNotAllowed("objection: not yet decided, nothing to appeal")
        if self.upheld:
            raise TransitionNotAllowed("objection: upheld, nothing to appeal")
        if self.appealed_on is not None:
            raise TransitionNotAllowed("objection: already appealed")
        if self.appeal_until is not None and on > self.appeal_until:
            raise DeadlinePassed(f"appeal: the time limit ended on {self.appeal_until.isoformat()}",
                                 deadline=self.appeal_until.isoformat())
        self.appealed_on, self.appeal_due = on, appeal_due

    def decide_appeal(self, on: date, by: str, upheld: bool, fix_due: date | None) -> None:
        if self.appealed_on is None:
            raise TransitionNotAllowed("objection: no appeal filed")
        if self.appeal_decided_on is not None:
            raise TransitionNotAllowed("objection: appeal already decided")
        self.appeal_decided_on, self.appeal_decided_by, self.appeal_upheld = on, by, upheld
        if upheld:
            self.fix_due = fix_due


@dataclass
class Listing:
    case_id: str
    debtor_id: str
    grounds: list[int]
    proposed_on: date
    proposed_by: str
    applicant_id: str | None = None      # the creditor who applied; None when the court acts on its own
    proposal_note: str = ""
    state: str = PROPOSED
    rejected_reason: str | None = None
    decided_on: date | None = None
    decided_by: str | None = None
    decision_reason: str | None = None
    term_months: int | None = None
    grace_months: int = 0
    served_on: date | None = None
    served_by: str | None = None
    publish_on: date | None = None
    published_on: date | None = None
    expires_on: date | None = None
    extension_months: int = 0
    extension_reason: str | None = None
    deletion_condition: str | None = None
    deletion_requested_by: str | None = None
    deletion_triggered_on: date | None = None
    deletion_due: date | None = None
    deleted_on: date | None = None
    deleted_by: str | None = None
    revoked_on: date | None = None
    revoked_by: str | None = None
    revocation_reason: str | None = None
    objections: list[Objection] = field(default_factory=list)
    id: str = field(default_factory=new_id)

    @property
    def in_force(self) -> bool:
        return self.state in IN_FORCE

    @property
    def is_published(self) -> bool:
        return self.state == PUBLISHED

    @property
    def deletion_pending(self) -> bool:
        return self.in_force and self.deletion_due is not None

    def _require(self, *states: str, action: str) -> None:
        if self.state not in states:
            raise TransitionNotAllowed(
                f"listing: cannot {action} a listing that is {self.state} (needs {' or '.join(states)})",
                state=self.state, action=action)

    def reject(self, reason: str) -> None:
        self._require(PROPOSED, action="reject")
        self.state, self.rejected_reason = REJECTED, reason

    def decide(self, on: date, by: str, reason: str, term_months: int | None, grace_months: int) -> None:
        self._require(PROPOSED, action="decide")
        if not reason or not reason.strip():
            raise ValidationFailed("reason", "a listing decision must give its reasons")
        if not by or not by.strip():
            raise ValidationFailed("signed_by", "a listing decision must be signed")
        self.state, self.decided_on, self.decided_by = DECIDED, on, by
        self.decision_reason, self.term_months, self.grace_months = reason.strip(), term_months, grace_months

    def serve(self, on: date, by: str, publish_on: date) -> None:
        self._require(DECIDED, action="record service of")
        if on < self.decided_on:  # type: ignore[operator]
            raise ValidationFailed("served_on", "before the decision")
        self.state, self.served_on, self.served_by, self.publish_on = SERVED, on, by, publish_on

    def publish(self, on: date, expires_on: date | None) -> None:
        self._require(SERVED, action="publish")
        if self.publish_on and on < self.publish_on:
            raise TransitionNotAllowed(f"listing: the grace period runs until {self.publish_on.isoformat()}")
        self.state, self.published_on, self.expires_on = PUBLISHED, on, expires_on

    def extend(self, months: int, reason: str, expires_on: date) -> None:
        self._require(PUBLISHED, action="extend")
        if self.expires_on is None:
            raise TransitionNotAllowed("listing: no fixed term to extend")
        if not reason or not reason.strip():
            raise ValidationFailed("reason", "an extension needs a reason")
        self.extension_months += months
        self.extension_reason, self.expires_on = reason.strip(), expires_on

    def schedule_deletion(self, condition: str, on: date, due: date, requested_by: str | None = None) -> bool:
        """Record the deletion condition and its deadline; False if already scheduled."""
        self._require(*IN_FORCE, action="delete")
        if self.deletion_due is not None:
            return False
        self.deletion_condition, self.deletion_triggered_on = condition, on
        self.deletion_due, self.deletion_requested_by = due, requested_by
        return True

    def carry_out_deletion(self, on: date, by: str) -> None:
        self._require(*IN_FORCE, action="delete")
        if self.deletion_due is None:
            raise TransitionNotAllowed("listing: no deletion condition recorded")
        self.state, self.deleted_on, self.deleted_by = DELETED, on, by

    def revoke(self, on: date, by: str, reason: str) -> None:
        self._require(*IN_FORCE, action="revoke")
        if not reason or not reason.strip():
            raise ValidationFailed("reason", "a revocation needs a reason")
        self.state, self.revoked_on, self.revoked_by, self.revocation_reason = REVOKED, on, by, reason.strip()

    def objection(self, objection_id: str) -> Objection:
        for objection in self.objections:
            if objection.id == objection_id:
                return objection
        raise ValidationFailed("objection_id", f"no objection {objection_id} on this listing")
