"""The audit log: append-only, hash-chained, with signed checkpoints; written in the same transaction as the change."""

from keepword.audit.entries import AuditEntry, entry_for_event
from keepword.audit.trail import AuditTrail
from keepword.audit.verify import VerifyReport, verify_chain

__all__ = ["AuditEntry", "AuditTrail", "VerifyReport", "entry_for_event", "verify_chain"]
