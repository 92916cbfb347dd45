"""The listing steps of an enforcement case (RULES.md §1): propose, decide, serve, publish, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from keepword.domain import events as ev
from keepword.domain.dates import add_months
from keepword.domain.errors import ListingBarred, TransitionNotAllowed, ValidationFailed
from keepword.domain.listings import OBJECTION_KINDS, PROPOSED, Listing, Objection
from keepword.domain.publication import published_record


@dataclass(frozen=True)
class RelistingBlock:
    """After a deletion at a creditor's request, that creditor cannot have the debtor re-listed until ``until``."""

    creditor_id: str
    debtor_id: str
    until: date


@dataclass(frozen=True)
class Bar:
    code: str
    message: str


class ListingSteps:
    """Mixed into EnforcementCase."""

    def listing(self, listing_id: str) -> Listing:
        for listing in self.listings:
            if listing.id == listing_id:
                return listing
        raise ValidationFailed("listing_id", f"no listing {listing_id} in case {self.case_number}")

    def relisting_blocks(self, policy) -> list[RelistingBlock]:
        return [RelistingBlock(l.deletion_requested_by, l.debtor_id, add_months(l.deleted_on, policy.relisting_block_months))
                for l in self.listings
                if l.deletion_condition == "creditor_request" and l.deleted_on and l.deletion_requested_by]

    # ---- bars -----------------------------------------------------------------------------
    def listing_bars(self, debtor_id: str, grounds: list[int], at: datetime, policy, applicant_id: str | None = None,
                     blocks: tuple[RelistingBlock, ...] = ()) -> list[Bar]:
        """Every rule that bars this proposal, so an officer sees them before submitting."""
        today = self.local_day(at, policy)
        case_party = self.debtor(debtor_id)
        party = case_party.party
        bars: list[Bar] = []
        age = party.age_on(today)
        if age is not None and age < policy.minimum_age:
            bars.append(Bar("minor", f"the debtor is {age}: minors are never listed"))
        if 1 in grounds:
            if case_party.guarantee_given:
                bars.append(Bar("guarantee_given", "ground 1 is barred: the debtor gave an adequate guarantee"))
            if self.frozen_value(debtor_id).amount >= self.outstanding.amount:
                bars.append(Bar("frozen_assets_sufficient",
                                f"ground 1 is barred: frozen assets ({self.frozen_value(debtor_id).as_string()}) "
                                f"cover the outstanding {self.outstanding.as_string()}"))
            if case_party.performance_order > 1:
                bars.append(Bar("later_in_order_of_performance",
                                "ground 1 is barred: the debtor is later in the order of performance"))
        if applicant_id is not None:
            for block in list(blocks) + self.relisting_blocks(policy):
                if block.creditor_id == applicant_id and block.debtor_id == debtor_id and today < block.until:
                    bars.append(Bar("relisting_blocked",
                                    f"this creditor had the debtor delisted: no re-listing on its application "
                                    f"before {block.until.isoformat()}"))
                    break
        if policy.warning_required and self.warned_on is None:
            bars.append(Bar("no_warning", "the execution notice has not warned that listing may follow"))
        if any(l.in_force and l.debtor_id == debtor_id for l in self.listings):
            bars.append(Bar("already_listed", "the debtor is already listed in this case"))
        return bars

    # ---- proposal and decision --------------------------------------------------------------
    def propose_listing(self, debtor_id: str, grounds: list[int], at: datetime, by: str, policy,
                        applicant_id: str | None = None, note: str = "",
                        blocks: tuple[RelistingBlock, ...] = ()) -> Listing:
        """A creditor's application or the court's own motion to list a debtor on one or more grounds."""
        self._require_open("propose a listing")
        grounds = sorted(set(grounds))
        if not grounds:
            raise ValidationFailed("grounds", "at least one ground is needed")
        for number in grounds:
            if number not in policy.grounds:
                raise ValidationFailed("grounds", f"{number} is not a ground (valid: {sorted(policy.grounds)})")
        if applicant_id is not None and applicant_id not in {p.party.id for p in self.creditors}:
            raise ValidationFailed("applicant_id", "only a creditor of the case can apply")
        bars = self.listing_bars(debtor_id, grounds, at, policy, applicant_id, blocks)
        if bars:
            raise ListingBarred(bars[0].message, bars[0].code)
        if any(l.state == PROPOSED and l.debtor_id == debtor_id for l in self.listings):
            raise TransitionNotAllowed("listing: a proposal for this debtor is already pending")
        listing = Listing(case_id=self.id, debtor_id=debtor_id, grounds=grounds, proposed_on=self.local_day(at, policy),
                          proposed_by=by, applicant_id=applicant_id, proposal_note=note)
        self.listings.append(listing)
        self._record(ev.ListingProposed(occurred_at=at, case_id=self.id, debtor_id=debtor_id, actor=by,
                                        listing_id=listing.id, grounds=tuple(grounds), applicant_id=applicant_id))
        return listing

    def reject_proposal(self, listing_id: str, reason: str, at: datetime, by: str) -> None:
        listing = self.listing(listing_id)
        listing.reject(reason)
        self._record(ev.ListingProposalRejected(occurred_at=at, case_id=self.id, debtor_id=listing.debtor_id,
                                                actor=by, listing_id=listing.id, reason=reason))

    def decide_listing(self, listing_id: str, at: datetime, signed_by: str, signer_role: str, reason: str, policy,
                       grace_months: int = 0, blocks: tuple[RelistingBlock, ...] = ()) -> Listing:
        """The written, reasoned decision with its term, signed by the court president."""
        self._require_open("decide a listing")
        listing = self.listing(listing_id)
        if signer_role not in policy.decision_signer_roles:
            raise ValidationFailed("signer_role", f"must be signed by: {', '.join(policy.decision_signer_roles)}")
        if not 0 <= grace_months <= policy.grace_max_months:
            raise ValidationFailed("grace_months", f"must be 0 to {policy.grace_max_months}")
        others = [b for b in self.listing_bars(listing.debtor_id, listing.grounds, at, policy, listing.applicant_id, blocks)
                  if b.code != "already_listed"]
        if others:
            raise ListingBarred(others[0].message, others[0].code)
        fixed = any(policy.ground(n).fixed_term for n in listing.grounds)
        term = policy.default_term_months if fixed else None
        listing.decide(self.local_day(at, policy), signed_by, reason, term, grace_months)
        self._record(ev.ListingDecided(occurred_at=at, case_id=self.id, debtor_id=listing.debtor_id, actor=signed_by,
                                       listing_id=listing.id, grounds=tuple(listing.grounds), term_months=term,
                                       signed_by=signed_by, reason=listing.decision_reason, grace_months=grace_months))
        return listing

    def serve_decision(self, listing_id: str, served_on: date, at: datetime, by: str, policy,
                       court_name: str | None = None) -> Listing:
        """Record service on the debtor; publishes at once unless a grace period runs."""
        listing = self.listing(listing_id)
        today = self.local_day(at, policy)
        if served_on > today:
            raise ValidationFailed("served_on", "in the future")
        publish_on = policy.calendar.add_months_then_roll(served_on, listing.grace_months) if listing.grace_months else served_on
        listing.serve(served_on, by, publish_on)
        self._record(ev.DecisionServed(occurred_at=at, case_id=self.id, debtor_id=listing.debtor_id, actor=by,
                                       listing_id=listing.id, served_on=served_on, publish_on=publish_on))
        if publish_on <= today and listing.deletion_due is None:
            self._publish(listing, at, by, policy, court_name)
        return listing

    def publish_due(self, at: datetime, by: str, policy, court_name: str | None = None) -> list[Listing]:
        """Publish every served listing whose grace period has ended (run by the periodic tick)."""
        today = self.local_day(at, policy)
        due = [l for l in self.listings if l.state == "served" and l.publish_on and l.publish_on <= today
               and l.deletion_due is None]
        for listing in due:
            self._publish(listing, at, by, policy, court_name)
        return due

    def _publish(self, listing: Listing, at: datetime, by: str, policy, court_name: str | None) -> None:
        today = self.local_day(at, policy)
        expires = add_months(today, listing.term_months) if listing.term_months else None
        listing.publish(today, expires)
        party = self.debtor(listing.debtor_id).party
        self._record(ev.DebtorListed(occurred_at=at, case_id=self.id, debtor_id=listing.debtor_id, actor=by,
                                     listing_id=listing.id, grounds=tuple(listing.grounds), published_on=today,
                                     expires_on=expires,
                                     published=published_record(self, listing, party, policy, today, court_name)))
        if policy.restrict_every_listed_debtor and self.is_open:
            self.order_restriction(listing.debtor_id, at, by, policy, reason="listed as a dishonest judgment debtor")

    def extend_listing_term(self, listing_id: str, months: int, reason: str, at: datetime, by: str, policy) -> None:
        """Extend a fixed term by 1-3 years for violence/threats or several dishonest acts, with a reason."""
        listing = self.listing(listing_id)
        if not policy.extension_min_months <= months <= policy.extension_max_months:
            raise ValidationFailed("months", f"must be {policy.extension_min_months} to {policy.extension_max_months}")
        allowed = len(listing.grounds) > 1 or any(policy.ground(n).extension_allowed for n in listing.grounds)
        if not allowed:
            raise TransitionNotAllowed("listing: an extension needs violence or threats, or several dishonest acts")
        new_expiry = add_months(listing.expires_on, months) if listing.expires_on else None
        listing.extend(months, reason, new_expiry)  # type: ignore[arg-type]
        self._record(ev.ListingTermExtended(occurred_at=at, case_id=self.id, debtor_id=listing.debtor_id, actor=by,
                                            listing_id=listing.id, months=months, expires_on=new_expiry, reason=reason))

    # ---- deletion and revocation ------------------------------------------------------------
    def schedule_listing_deletion(self, listing_id: str, condition: str, at: datetime, by: str, policy,
                                  requested_by: str | None = None, arose_on: date | None = None) -> Listing:
        """Record a deletion condition; the deadline is 3 working days after it arose (default: today)."""
        listing = self.listing(listing_id)
        if condition not in policy.deletion_conditions:
            raise ValidationFailed("condition", f"must be one of {', '.join(policy.deletion_conditions)}")
        if condition == "creditor_request":
            if requested_by not in {p.party.id for p in self.creditors}:
                raise ValidationFailed("requested_by", "a deletion at a creditor's request names that creditor")
        if condition == "fruitless_after_searches" and self.fruitless_searches() < policy.minimum_asset_searches:
            raise ValidationFailed("condition", f"needs at least {policy.minimum_asset_searches} fruitless asset searches")
        arose_on = arose_on or self.local_day(at, policy)
        due = policy.calendar.add_working_days(arose_on, policy.deletion_working_days)
        if listing.schedule_deletion(condition, arose_on, due, requested_by):
            self._record(ev.DeletionScheduled(occurred_at=at, case_id=self.id, debtor_id=listing.debtor_id, actor=by,
                                              listing_id=listing.id, condition=condition, due_on=due))
        return listing

    def carry_out_deletion(self, listing_id: str, at: datetime, by: str, policy) -> Listing:
        listing = self.listing(listing_id)
        listing.carry_out_deletion(self.local_day(at, policy), by)
        self._record(ev.ListingDeleted(occurred_at=at, case_id=self.id, debtor_id=listing.debtor_id, actor=by,
                                       listing_id=listing.id, condition=listing.deletion_condition,
                                       due_on=listing.deletion_due, deleted_on=listing.deleted_on))
        return listing

    def delete_listing(self, listing_id: str, condition: str, at: datetime, by: str, policy,
                       requested_by: str | None = None) -> Listing:
        """Schedule and carry out a deletion at once."""
        self.schedule_listing_deletion(listing_id, condition, at, by, policy, requested_by)
        return self.carry_out_deletion(listing_id, at, by, policy)

    def _end_listing_for_condition(self, listing: Listing, condition: str, at: datetime, by: str, policy) -> None:
        if listing.state == PROPOSED:
            self.reject_proposal(listing.id, f"withdrawn: {policy.deletion_conditions.get(condition, condition)}", at, by)
        elif listing.in_force:
            self.schedule_listing_deletion(listing.id, condition, at, by, policy)
            self.carry_out_deletion(listing.id, at, by, policy)

    def expire_terms(self, at: datetime, by: str, policy) -> list[Listing]:
        """Schedule deletion of every published listing whose fixed term has run out (tick)."""
        today = self.local_day(at, policy)
        due = [l for l in self.listings if l.is_published and l.expires_on and l.expires_on <= today
               and l.deletion_due is None]
        for listing in due:
            # The deadline runs from the day the term ended, even when the tick comes later.
            self.schedule_listing_deletion(listing.id, "term_expired", at, by, policy, arose_on=listing.expires_on)
        return due

    def carry_out_due_deletions(self, at: datetime, by: str, policy) -> list[Listing]:
        pending = [l for l in self.listings if l.deletion_pending]
        for listing in pending:
            self.carry_out_deletion(listing.id, at, by, policy)
        return pending

    def revoke_listing(self, listing_id: str, reason: str, at: datetime, by: str, policy) -> Listing:
        """Revoke a wrongful listing (RULES.md §1 rule 9)."""
        listing = self.listing(listing_id)
        listing.revoke(self.local_day(at, policy), by, reason)
        self._record(ev.ListingRevoked(occurred_at=at, case_id=self.id, debtor_id=listing.debtor_id, actor=by,
                                       listing_id=listing.id, reason=reason))
        return listing

    def correct_listing(self, listing_id: str, correction: str, at: datetime, by: str) -> None:
        listing = self.listing(listing_id)
        if not listing.in_force:
            raise TransitionNotAllowed(f"listing: {listing.state}, nothing to correct")
        if not correction.strip():
            raise ValidationFailed("correction", "empty")
        self._record(ev.ListingCorrected(occurred_at=at, case_id=self.id, debtor_id=listing.debtor_id, actor=by,
                                         listing_id=listing.id, correction=correction.strip()))

    # ---- objections and appeals ---------------------------------------------------------------
    def file_objection(self, listing_id: str, kind: str, statement: str, at: datetime, by: str, policy) -> Objection:
        """The debtor asks for correction; the listing stays in force meanwhile (RULES.md §1 rule 11)."""
        listing = self.listing(listing_id)
        if kind not in OBJECTION_KINDS:
            raise ValidationFailed("kind", f"must be one of {', '.join(OBJECTION_KINDS)}")
        if not listing.in_force:
            raise TransitionNotAllowed(f"listing: {listing.state}, no objection possible")
        if not statement or not statement.strip():
            raise ValidationFailed("statement", "say why the listing is wrong")
        if any(o.open for o in listing.objections):
            raise TransitionNotAllowed("listing: an objection is already under review")
        today = self.local_day(at, policy)
        due = policy.calendar.add_calendar_days_then_roll(today, policy.objection_review_days)
        objection = Objection(listing_id=listing.id, kind=kind, statement=statement.strip(), filed_on=today, review_due=due)
        listing.objections.append(objection)
        self._record(ev.ObjectionFiled(occurred_at=at, case_id=self.id, debtor_id=listing.debtor_id, actor=by,
                                       listing_id=listing.id, objection_id=objection.id, kind=kind, review_due=due))
        return objection

    def decide_objection(self, listing_id: str, objection_id: str, upheld: bool, note: str, at: datetime, by: str,
                         policy, correction: str = "") -> Objection:
        listing = self.listing(listing_id)
        objection = listing.objection(objection_id)
        today = self.local_day(at, policy)
        fix_due = policy.calendar.add_working_days(today, policy.correction_working_days) if upheld else None
        appeal_until = policy.calendar.add_calendar_days_then_roll(today, policy.appeal_days)
        objection.decide(today, by, upheld, note, fix_due, appeal_until)
        self._record(ev.ObjectionDecided(occurred_at=at, case_id=self.id, debtor_id=listing.debtor_id, actor=by,
                                         listing_id=listing.id, objection_id=objection.id, upheld=upheld,
                                         fix_due=fix_due, appeal_until=appeal_until))
        if upheld:
            self._apply_upheld_objection(listing, objection, at, by, policy, correction or note)
        return objection

    def appeal_objection(self, listing_id: str, objection_id: str, at: datetime, by: str, policy) -> Objection:
        """Appeal to the higher court within 10 days of a dismissed objection."""
        listing = self.listing(listing_id)
        objection = listing.objection(objection_id)
        today = self.local_day(at, policy)
        due = policy.calendar.add_calendar_days_then_roll(today, policy.appeal_decision_days)
        objection.appeal(today, due)
        self._record(ev.AppealFiled(occurred_at=at, case_id=self.id, debtor_id=listing.debtor_id, actor=by,
                                    listing_id=listing.id, objection_id=objection.id, decision_due=due))
        return objection

    def decide_appeal(self, listing_id: str, objection_id: str, upheld: bool, at: datetime, by: str, policy,
                      correction: str = "", reason: str = "") -> Objection:
        """The higher court's decision on the appeal against a dismissed objection, with its reasons."""
        listing = self.listing(listing_id)
        objection = listing.objection(objection_id)
        today = self.local_day(at, policy)
        fix_due = policy.calendar.add_working_days(today, policy.correction_working_days) if upheld else None
        objection.decide_appeal(today, by, upheld, fix_due)
        self._record(ev.AppealDecided(occurred_at=at, case_id=self.id, debtor_id=listing.debtor_id, actor=by,
                                      listing_id=listing.id, objection_id=objection.id, upheld=upheld,
                                      reason=reason))
        if upheld:
            self._apply_upheld_objection(listing, objection, at, by, policy, correction)
        return objection

    def _apply_upheld_objection(self, listing: Listing, objection: Objection, at: datetime, by: str, policy,
                                correction: str) -> None:
        if not listing.in_force:
            return
        if objection.kind == "should_not_be_listed":
            self.revoke_listing(listing.id, f"objection upheld: {objection.statement}", at, by, policy)
        elif objection.kind == "wrong_details":
            self.correct_listing(listing.id, correction or objection.statement, at, by)
        else:
            condition = self._condition_in_force() or "terminated"
            self.delete_listing(listing.id, condition, at, by, policy)

    def _condition_in_force(self) -> str | None:
        if self.outstanding.amount == 0:
            return "full_performance"
        return None
