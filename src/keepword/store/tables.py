"""The schema. Every change here comes with an Alembic migration (tests check that they agree)."""

from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date, ForeignKey, Index, Integer, MetaData, String,
                        Table, Text, UniqueConstraint)

from keepword.store.types import Cents, UTCDateTime

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
})

ID = String(32)

courts = Table(
    "courts", metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("province", String(50), nullable=False),
    Column("level", String(20), nullable=False),  # supreme, high, intermediate, basic
    Column("parent_id", ID, ForeignKey("courts.id"), nullable=True, index=True),
    Column("timezone", String(50), nullable=False, default="Asia/Shanghai"),
    Column("ringback_template", Text, nullable=True),
)

parties = Table(
    "parties", metadata,
    Column("id", ID, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("name", String(200), nullable=False, index=True),
    Column("id_number", String(18), nullable=True, unique=True),
    Column("credit_code", String(18), nullable=True, unique=True),
    Column("birth_date", Date, nullable=True),
    Column("sex", String(1), nullable=True),
    Column("phones", JSON, nullable=False, default=list),
    Column("address", Text, nullable=True),
)

bound_persons = Table(
    "bound_persons", metadata,
    Column("id", ID, primary_key=True),
    Column("party_id", ID, ForeignKey("parties.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("role", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("id_number", String(18), nullable=True, index=True),
)

cases = Table(
    "cases", metadata,
    Column("id", ID, primary_key=True),
    Column("court_id", ID, ForeignKey("courts.id"), nullable=False),
    Column("case_number", String(100), nullable=False),
    Column("policy_id", String(40), nullable=False),
    Column("obligation_cents", Cents, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("obligation_text", Text, nullable=False, default=""),
    Column("filed_on", Date, nullable=False, index=True),
    Column("judgment_date", Date, nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("warned_on", Date, nullable=True),
    Column("status", String(20), nullable=False, index=True),
    Column("outcome", String(30), nullable=True),
    Column("closed_on", Date, nullable=True),
    Column("closing_reason", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("court_id", "case_number"),
)

case_parties = Table(
    "case_parties", metadata,
    Column("id", ID, primary_key=True),
    Column("case_id", ID, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("party_id", ID, ForeignKey("parties.id"), nullable=False, index=True),
    Column("role", String(20), nullable=False),
    Column("performance_order", Integer, nullable=False, default=1),
    Column("guarantee_given", Boolean, nullable=False, default=False),
)

payments = Table(
    "payments", metadata,
    Column("id", ID, primary_key=True),
    Column("case_id", ID, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("amount_cents", Cents, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("payer_id", ID, ForeignKey("parties.id"), nullable=True),
    Column("recorded_by", String(100), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("note", Text, nullable=False, default=""),
)

measures = Table(
    "measures", metadata,
    Column("id", ID, primary_key=True),
    Column("case_id", ID, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("ordered_on", Date, nullable=False),
    Column("ordered_by", String(100), nullable=False),
    Column("debtor_id", ID, ForeignKey("parties.id"), nullable=True),
    Column("value_cents", Cents, nullable=True),
    Column("value_currency", String(3), nullable=True),
    Column("assets_found", Boolean, nullable=True),
    Column("note", Text, nullable=False, default=""),
    Column("ended_on", Date, nullable=True),
)

listings = Table(
    "listings", metadata,
    Column("id", ID, primary_key=True),
    Column("case_id", ID, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("debtor_id", ID, ForeignKey("parties.id"), nullable=False, index=True),
    Column("grounds", JSON, nullable=False),
    Column("state", String(20), nullable=False, index=True),
    Column("applicant_id", ID, ForeignKey("parties.id"), nullable=True),
    Column("proposed_on", Date, nullable=False),
    Column("proposed_by", String(100), nullable=False),
    Column("proposal_note", Text, nullable=False, default=""),
    Column("rejected_reason", Text, nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("decided_by", String(100), nullable=True),
    Column("decision_reason", Text, nullable=True),
    Column("term_months", Integer, nullable=True),
    Column("grace_months", Integer, nullable=False, default=0),
    Column("served_on", Date, nullable=True),
    Column("served_by", String(100), nullable=True),
    Column("publish_on", Date, nullable=True, index=True),
    Column("published_on", Date, nullable=True),
    Column("expires_on", Date, nullable=True, index=True),
    Column("extension_months", Integer, nullable=False, default=0),
    Column("extension_reason", Text, nullable=True),
    Column("deletion_condition", String(40), nullable=True),
    Column("deletion_requested_by", ID, nullable=True),
    Column("deletion_triggered_on", Date, nullable=True),
    Column("deletion_due", Date, nullable=True, index=True),
    Column("deleted_on", Date, nullable=True),
    Column("deleted_by", String(100), nullable=True),
    Column("revoked_on", Date, nullable=True),
    Column("revoked_by", String(100), nullable=True),
    Column("revocation_reason", Text, nullable=True),
)

objections = Table(
    "objections", metadata,
    Column("id", ID, primary_key=True),
    Column("listing_id", ID, ForeignKey("listings.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(30), nullable=False),
    Column("statement", Text, nullable=False),
    Column("filed_on", Date, nullable=False),
    Column("review_due", Date, nullable=False, index=True),
    Column("decided_on", Date, nullable=True),
    Column("decided_by", String(100), nullable=True),
    Column("upheld", Boolean, nullable=True),
    Column("decision_note", Text, nullable=True),
    Column("fix_due", Date, nullable=True),
    Column("appeal_until", Date, nullable=True),
    Column("appealed_on", Date, nullable=True),
    Column("appeal_due", Date, nullable=True),
    Column("appeal_decided_on", Date, nullable=True),
    Column("appeal_upheld", Boolean, nullable=True),
    Column("appeal_decided_by", String(100), nullable=True),
)

restrictions = Table(
    "restrictions", metadata,
    Column("id", ID, primary_key=True),
    Column("case_id", ID, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("debtor_id", ID, ForeignKey("parties.id"), nullable=False, index=True),
    Column("categories", JSON, nullable=False),
    Column("ordered_on", Date, nullable=False),
    Column("ordered_by", String(100), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("lifted_on", Date, nullable=True),
    Column("lift_reason", String(40), nullable=True),
    Column("lifted_by", String(100), nullable=True),
)

exemptions = Table(
    "exemptions", metadata,
    Column("id", ID, primary_key=True),
    Column("restriction_id", ID, ForeignKey("restrictions.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("category", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("approved_by", String(100), nullable=False),
)

# The outbox: written in the same transaction as the state change it reports. ``position`` is the
# public feed position, assigned later in commit order so that no reader can skip a late commit.
outbox = Table(
    "outbox", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(60), nullable=False),
    Column("case_id", ID, nullable=True, index=True),
    Column("debtor_id", ID, nullable=True, index=True),
    Column("actor", String(100), nullable=True),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("position", BigInteger, nullable=True, unique=True),
)
Index("ix_outbox_unpositioned", outbox.c.seq, postgresql_where=outbox.c.position.is_(None),
      sqlite_where=outbox.c.position.is_(None))
