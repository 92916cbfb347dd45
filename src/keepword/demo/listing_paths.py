"""The listing part of a demo case's story: every path a listing takes in practice, through the domain.

Each ``_path_*`` method returns whether the story goes on (to restrictions and the case's outcome);
paths that end in a pending state (a proposal, a grace period, an open objection) stop it.
"""

from __future__ import annotations

from datetime import timedelta

from keepword.domain.listings import Listing

_GROUND_TEXT = {
    1: "有履行能力而拒不履行生效法律文书确定的义务",
    2: "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
    3: "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
    4: "违反财产报告制度",
    5: "违反限制消费令",
    6: "无正当理由拒不履行执行和解协议",
}
_GROUND_SETS = ((1,), (4,), (1, 4), (3,), (6,), (5,), (2,))
_GROUND_WEIGHTS = (62, 14, 8, 6, 4, 3, 3)
_FIXED_TERM_SETS = ((4,), (3,), (6,), (5,), (1, 4))
_EXTENDABLE_SETS = ((2,), (2, 3), (1, 4))
_OBJECTIONS = {
    "should_not_be_listed": "本人在纳入前已向法院提供充分有效的担保，不应被纳入失信名单",
    "wrong_details": "公布的身份信息及履行情况与实际不符",
    "should_be_deleted": "本人已与申请执行人达成和解并正在履行，应当删除失信信息",
}
_REVOCATIONS = ("经复查，被执行人在纳入前已提供充分有效担保，纳入错误，予以撤销",
                "被执行人不符合纳入失信被执行人名单的条件，决定撤销")


class ListingPaths:
    """Mixed into CaseStory; uses its case, timeline, officers and random source."""

    def _listing_path(self) -> bool:
        if self.plan.listing == "none":
            return True
        return getattr(self, f"_path_{self.plan.listing}")()

    # ---- the steps ----------------------------------------------------------------------------
    def _near_end(self, low: int, high: int) -> bool:
        return self._go_to(self.t.end - timedelta(days=self.rng.randint(low, high)))

    def _propose(self, grounds: tuple[int, ...] | None = None) -> Listing:
        if grounds is None:
            grounds = self.rng.choices(_GROUND_SETS, _GROUND_WEIGHTS)[0]
        applicant = self.creditor.id if self.rng.random() < 0.5 else None
        note = "申请执行人书面申请将被执行人纳入失信被执行人名单" if applicant else "本院依职权决定"
        return self.case.propose_listing(self.debtor.id, list(grounds), self.t.at, self.officer, self.policy,
                                         applicant, note)

    def _decide(self, listing: Listing, grace: int | None = None) -> None:
        if grace is None:
            grace = self.rng.choices((0, 1, 2, 3), (65, 15, 10, 10))[0]
        conduct = "；".join(_GROUND_TEXT[n] for n in listing.grounds)
        reason = f"被执行人{self.debtor.name}{conduct}，依法纳入失信被执行人名单"
        self.case.decide_listing(listing.id, self.t.at, self.president, "court_president", reason, self.policy, grace)

    def _serve(self, listing: Listing) -> None:
        self.case.serve_decision(listing.id, self.t.day, self.t.at, self.officer, self.policy, self.court.court.name)

    def _published(self, grounds: tuple[int, ...] | None = None, grace: int | None = None) -> Listing | None:
        """Propose, decide, serve and publish (after any grace period); None if the demo ends first."""
        listing = self._propose(grounds)
        if not self._wait(3, 20):
            return None
        self._decide(listing, grace)
        if not self._wait(1, 10):
            return None
        self._serve(listing)
        if listing.state == "served" and not self._go_to(listing.publish_on):
            return None
        if self.rng.random() < 0.2:
            self._measure("credit_bureau_report", note="推送征信机构")
        if self.debtor.is_person and self.debtor.phones and self.rng.random() < 0.15:
            self._measure("ringback_notice", note="失信彩铃")
        return listing if listing.is_published else None

    def _object(self, listing: Listing, kind: str | None = None):
        kind = kind or self.rng.choice(tuple(_OBJECTIONS))
        return self.case.file_objection(listing.id, kind, _OBJECTIONS[kind], self.t.at, self.debtor.name, self.policy)

    def _decide_objection(self, listing: Listing, objection, upheld: bool, correction: str = "") -> None:
        note = "异议成立" if upheld else "异议理由不成立，予以驳回"
        self.case.decide_objection(listing.id, objection.id, upheld, note, self.t.at, self.president, self.policy,
                                   correction)

    def _appeal(self, listing: Listing, objection) -> bool:
        target = self.t.day + timedelta(days=self.rng.randint(1, 8))
        if not self._go_to(min(target, objection.appeal_until)):
            return False
        self.case.appeal_objection(listing.id, objection.id, self.t.at, self.debtor.name, self.policy)
        return True

    # ---- the paths -----------------------------------------------------------------------------
    def _path_proposed(self) -> bool:
        if self._near_end(1, 20):
            self._propose()
        return False

    def _path_rejected(self) -> bool:
        if not self._wait(10, 60):
            return False
        listing = self._propose()
        if not self._wait(3, 15):
            return False
        self.case.reject_proposal(listing.id, "经审查，不符合纳入失信被执行人名单的条件", self.t.at, self.president)
        return True

    def _path_decided(self) -> bool:
        if self._near_end(5, 30):
            listing = self._propose()
            if self._wait(2, 5):
                self._decide(listing)
        return False

    def _path_grace(self) -> bool:
        if self._near_end(20, 60):
            listing = self._propose()
            if self._wait(2, 6):
                self._decide(listing, grace=self.rng.choice((2, 3)))
                if self._wait(1, 7):
                    self._serve(listing)
        return False

    def _path_published(self) -> bool:
        return self._wait(10, 60) and self._published() is not None

    def _path_creditor_deleted(self) -> bool:
        listing = self._wait(10, 60) and self._published()
        if not listing or not self._wait(30, 150):
            return False
        self.case.delete_listing(listing.id, "creditor_request", self.t.at, self.officer, self.policy,
                                 requested_by=self.creditor.id)
        return True

    def _path_late_deleted(self) -> bool:
        listing = self._wait(10, 60) and self._published()
        if not listing or not self._wait(30, 150):
            return False
        self.case.schedule_listing_deletion(listing.id, "creditor_request", self.t.at, self.officer, self.policy,
                                            requested_by=self.creditor.id)
        if not self.t.wait(6, 20):  # the deadline passes: a late deletion, counted against the court
            return False
        self.case.carry_out_deletion(listing.id, self.t.at, self.officer, self.policy)
        return True

    def _path_expired(self) -> bool:
        listing = self._wait(10, 60) and self._published(self.rng.choice(_FIXED_TERM_SETS))
        if not listing or not self.t.go_to(listing.expires_on):
            return False
        self.case.expire_terms(self.t.at, "system:tick", self.policy)
        if self.rng.random() < 0.3 and not self.t.wait(6, 15):
            return False  # still pending at the end: an overdue deletion
        self.case.carry_out_deletion(listing.id, self.t.at, "system:tick", self.policy)
        return True

    def _path_pending_deletion(self) -> bool:
        listing = self._near_end(60, 300) and self._published(grace=0)
        if listing and self._near_end(2, 40):  # mostly past its 3-working-day deadline by the end
            self.case.schedule_listing_deletion(listing.id, "creditor_request", self.t.at, self.officer, self.policy,
                                                requested_by=self.creditor.id)
        return False

    def _path_revoked(self) -> bool:
        listing = self._wait(10, 60) and self._published()
        if not listing or not self._wait(5, 60):
            return False
        self.case.revoke_listing(listing.id, self.rng.choice(_REVOCATIONS), self.t.at, self.president, self.policy)
        return True

    def _path_objection_open(self) -> bool:
        listing = self._near_end(40, 300) and self._published(grace=0)
        if listing and self._near_end(0, 14):
            self._object(listing)
        return False

    def _objection_then(self, kind: str | None, upheld: bool, correction: str = "") -> bool:
        listing = self._wait(10, 60) and self._published()
        if not listing or not self._wait(10, 90):
            return False
        objection = self._object(listing, kind)
        if not self._wait(5, 14):
            return False
        self._decide_objection(listing, objection, upheld, correction)
        return True

    def _path_objection_dismissed(self) -> bool:
        return self._objection_then(None, upheld=False)

    def _path_objection_corrected(self) -> bool:
        return self._objection_then("wrong_details", upheld=True, correction="更正被执行人住所地及已履行金额")

    def _path_objection_revoked(self) -> bool:
        return self._objection_then("should_not_be_listed", upheld=True)

    def _path_appeal_open(self) -> bool:
        listing = self._near_end(60, 300) and self._published(grace=0)
        if listing and self._near_end(22, 30):
            objection = self._object(listing, "should_not_be_listed")
            if self._wait(5, 10):
                self._decide_objection(listing, objection, upheld=False)
                self._appeal(listing, objection)
        return False

    def _path_appeal_decided(self) -> bool:
        listing = self._wait(10, 60) and self._published()
        if not listing or not self._wait(10, 90):
            return False
        objection = self._object(listing, self.rng.choice(("should_not_be_listed", "wrong_details")))
        if not self._wait(5, 14):
            return False
        self._decide_objection(listing, objection, upheld=False)
        if not self._appeal(listing, objection) or not self._wait(5, 14):
            return False
        self.case.decide_appeal(listing.id, objection.id, self.rng.random() < 0.25, self.t.at, self.president,
                                self.policy, correction="更正公布信息")
        return True

    def _path_extended(self) -> bool:
        listing = self._wait(10, 60) and self._published(self.rng.choice(_EXTENDABLE_SETS))
        if not listing or not self._wait(200, 500) or not listing.is_published:
            return False
        self.case.extend_listing_term(listing.id, self.rng.choice((12, 24, 36)), "被执行人多次实施失信行为，情节严重",
                                      self.t.at, self.president, self.policy)
        return True
