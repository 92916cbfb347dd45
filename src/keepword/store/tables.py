"""The schema. Every change here comes with an Alembic migration (tests check that they agree)."""

from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date, ForeignKey, Index, Integer, MetaData, String,
                        Table, Text, UniqueConstraint, true)

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

# ---- accounts (issue 3) ---------------------------------------------------------------------
# Staff accounts. ``roles`` is a JSON list of role names (keepword.services.access); staff act within
# ``court_id`` (supervisors within its subtree). Passwords are argon2id hashes, never plain.
users = Table(
    "users", metadata,
    Column("id", ID, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("court_id", ID, ForeignKey("courts.id"), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Partner systems (credit bureaus, carriers, ...). Their scopes follow from the partner type.
partners = Table(
    "partners", metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("type", String(30), nullable=False),  # credit_bureau|transport|hotel|carrier|bank|government
    Column("scopes", JSON, nullable=False),
    Column("active", Boolean, nullable=False, default=True, server_default=true()),
    Column("created_at", UTCDateTime, nullable=False),
)

# Partner API keys: shown once, kept as a SHA-256 hash; ``prefix`` finds the row without the secret.
api_keys = Table(
    "api_keys", metadata,
    Column("id", ID, primary_key=True),
    Column("partner_id", ID, ForeignKey("partners.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

# Bearer tokens (staff API use) and browser sessions (staff or a debtor), kept as SHA-256 hashes.
auth_tokens = Table(
    "auth_tokens", metadata,
    Column("id", ID, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("kind", String(10), nullable=False),  # bearer | session
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("party_id", ID, ForeignKey("parties.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("case_id", ID, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
    Column("revoked_at", UTCDateTime, nullable=True),
)

# ---- audit log (issue 3) --------------------------------------------------------------------
# Append-only: each entry commits to the previous one (``hash`` = SHA-256 over ``prev_hash`` and the
# canonical JSON of the entry). ``seq`` is assigned under a lock so the chain stays linear.
audit_log = Table(
    "audit_log", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(60), nullable=False),
    Column("subject_type", String(30), nullable=True),
    Column("subject_id", String(64), nullable=True, index=True),
    Column("purpose", String(200), nullable=True),
    Column("details", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# Signed checkpoints: HMAC-SHA256 (the settings secret) over the chain hash at ``seq``.
audit_checkpoints = Table(
    "audit_checkpoints", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("entry_hash", String(64), nullable=False),
    Column("signature", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# ---- partner feeds (issue 4) -----------------------------------------------------------------
# The sequencer's high-water mark: positions are handed out after ``last_position`` under a lock, so
# they stay gap-free and increasing even when the retention purge empties the outbox. One row (id 1).
feed_sequence = Table(
    "feed_sequence", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_position", BigInteger, nullable=False, default=0),
    Column("sequenced_at", UTCDateTime, nullable=True),
    Column("purged_through", BigInteger, nullable=False, default=0),  # positions <= this may be gone
)

# Webhook endpoints of a partner. ``secret`` is a Standard Webhooks key (whsec_ + base64). ``cursor``
# is the last feed position fanned out into deliveries; ``paused_until`` backs off a failing endpoint
# as a whole, and persistent failure disables it with a reason the API and CLI show.
feed_endpoints = Table(
    "feed_endpoints", metadata,
    Column("id", ID, primary_key=True),
    Column("partner_id", ID, ForeignKey("partners.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("secret", String(100), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("disabled_at", UTCDateTime, nullable=True),
    Column("disabled_reason", Text, nullable=True),
    Column("cursor", BigInteger, nullable=False, default=0),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("paused_until", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

# One row per (endpoint, event) the endpoint's partner type receives. A pending row is claimed with a
# lease (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL); a debtor's later row waits while an earlier
# one of the same ``ordering_key`` is pending, so events about one debtor never overtake each other.
feed_deliveries = Table(
    "feed_deliveries", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("endpoint_id", ID, ForeignKey("feed_endpoints.id", ondelete="CASCADE"), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("ordering_key", String(40), nullable=False),
    Column("status", String(12), nullable=False),  # pending | delivered
    Column("attempts", Integer, nullable=False, default=0),
    Column("first_attempt_at", UTCDateTime, nullable=True),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("lease_owner", String(40), nullable=True),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("last_status", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", UTCDateTime, nullable=True),
    UniqueConstraint("endpoint_id", "position"),
)
Index("ix_feed_deliveries_pending", feed_deliveries.c.endpoint_id, feed_deliveries.c.position,
      postgresql_where=feed_deliveries.c.status == "pending", sqlite_where=feed_deliveries.c.status == "pending")
Index("ix_feed_deliveries_pending_order", feed_deliveries.c.endpoint_id, feed_deliveries.c.ordering_key,
      feed_deliveries.c.position, postgresql_where=feed_deliveries.c.status == "pending",
      sqlite_where=feed_deliveries.c.status == "pending")
Index("ix_feed_deliveries_delivered_at", feed_deliveries.c.delivered_at)

# The last position a partner pulled through GET /api/v1/feed (for its lag).
feed_pull_cursors = Table(
    "feed_pull_cursors", metadata,
    Column("partner_id", ID, ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("pulled_at", UTCDateTime, nullable=False),
)

# A partner's confirmation that it applied a relief event (a delisting, a revocation, a lifted restriction).
feed_acks = Table(
    "feed_acks", metadata,
    Column("partner_id", ID, ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", String(36), primary_key=True),
    Column("event_type", String(60), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("acked_at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
)

# ---- portal (issue 6) -----------------------------------------------------------------------
from sqlalchemy import LargeBinary  # noqa: E402  (kept beside the one table that uses it)

# One-time sign-in codes for debtors: an HMAC of the code (never the code), an expiry, and the
# wrong tries so far (burnt after five).
debtor_codes = Table(
    "debtor_codes", metadata,
    Column("id", ID, primary_key=True),
    Column("case_id", ID, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("party_id", ID, ForeignKey("parties.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("code_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("used_at", UTCDateTime, nullable=True),
)

# Proof of payment a debtor submitted, awaiting an officer's review (accepted: the payment is recorded).
payment_evidence = Table(
    "payment_evidence", metadata,
    Column("id", ID, primary_key=True),
    Column("case_id", ID, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("party_id", ID, ForeignKey("parties.id", ondelete="CASCADE"), nullable=False),
    Column("amount_cents", Cents, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("reference", String(200), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("file_name", String(200), nullable=True),
    Column("content_type", String(100), nullable=True),
    Column("content", LargeBinary, nullable=True),
    Column("submitted_at", UTCDateTime, nullable=False),
    Column("status", String(20), nullable=False, index=True),  # submitted | accepted | rejected
    Column("reviewed_by", String(100), nullable=True),
    Column("reviewed_at", UTCDateTime, nullable=True),
    Column("review_note", Text, nullable=True),
    Column("payment_id", ID, nullable=True),
)
