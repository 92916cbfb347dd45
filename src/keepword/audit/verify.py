"""Checking the audit log: the first altered, inserted or deleted entry, by sequence number."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from keepword.audit.chain import GENESIS, entry_hash, signature_valid
from keepword.audit.entries import AuditEntry
from keepword.store import tables as t

_RECENT = 4096  # how far back an inserted entry's neighbours are looked up


@dataclass
class Problem:
    kind: str          # altered | inserted | deleted
    seq: int
    message: str


@dataclass
class VerifyReport:
    entries: int = 0
    checkpoints: int = 0
    unsigned_tail: int = 0     # entries after the last signed checkpoint
    problem: Problem | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None

    def as_dict(self) -> dict:
        out = {"ok": self.ok, "entries": self.entries, "checkpoints": self.checkpoints,
               "unsigned_tail": self.unsigned_tail}
        if self.problem:
            out["problem"] = {"kind": self.problem.kind, "seq": self.problem.seq, "message": self.problem.message}
        return out


def _recomputed(row) -> str:
    entry = AuditEntry(at=row.at, actor=row.actor, action=row.action, subject_type=row.subject_type,
                       subject_id=row.subject_id, purpose=row.purpose, details=row.details)
    return entry_hash(row.prev_hash, entry.content())


def _rows(conn):
    query = select(t.audit_log).order_by(t.audit_log.c.seq)
    return conn.execution_options(yield_per=1000).execute(query)


def verify_chain(engine: Engine, secret: str) -> VerifyReport:
    """Walk the chain in order; stop at the first entry that breaks it, and check every signed checkpoint."""
    report = VerifyReport()
    with engine.connect() as conn:
        checkpoints = {r.seq: r for r in conn.execute(select(t.audit_checkpoints))}
        report.checkpoints = len(checkpoints)
        for seq, cp in sorted(checkpoints.items()):
            if not signature_valid(secret, seq, cp.entry_hash, cp.signature):
                report.problem = Problem("altered", seq, f"checkpoint {seq}: signature does not match (forged or "
                                                         "altered checkpoint, or a different secret key)")
                return report
        rows = _rows(conn)
        report.problem = _walk(rows, checkpoints, report)
    if report.problem is None:
        missing = [s for s in checkpoints if s > report.entries]
        if missing:
            report.problem = Problem("deleted", report.entries + 1,
                                     f"entries {report.entries + 1}..{max(missing)} deleted: "
                                     f"checkpoint {max(missing)} vouches for them")
    last_checkpoint = max(checkpoints, default=0)
    report.unsigned_tail = max(report.entries - last_checkpoint, 0)
    return report


def _walk(rows, checkpoints: dict, report: VerifyReport) -> Problem | None:
    good_hash, good_seq = GENESIS, 0
    recent: OrderedDict[str, int] = OrderedDict({GENESIS: 0})
    accepted: list[int] = []        # sequence numbers accepted so far (tail only)
    iterator = iter(rows)
    row = next(iterator, None)
    while row is not None:
        following = next(iterator, None)
        self_ok = _recomputed(row) == row.hash
        linked = row.prev_hash == good_hash
        if linked and self_ok:
            if row.seq != good_seq + 1:
                return Problem("deleted", good_seq + 1, f"entries {good_seq + 1}..{row.seq - 1} deleted "
                                                        f"(entry {row.seq} was re-linked over the gap)")
        elif linked:
            if following is not None and following.prev_hash == good_hash:
                return Problem("inserted", row.seq, f"entry {row.seq} inserted: the next entry links past it")
            return Problem("altered", row.seq, f"entry {row.seq} altered: its content no longer matches its hash")
        else:
            if row.prev_hash in recent and recent[row.prev_hash] < good_seq:
                first = next(s for s in accepted if s > recent[row.prev_hash])
                return Problem("inserted", first, f"entry {first} inserted: entry {row.seq} links past it")
            if following is not None and following.prev_hash == good_hash:
                return Problem("inserted", row.seq, f"entry {row.seq} inserted: the next entry links past it")
            if not self_ok:
                return Problem("altered", row.seq, f"entry {row.seq} altered: its content no longer matches its hash")
            if row.seq > good_seq + 1:
                return Problem("deleted", good_seq + 1, f"entries {good_seq + 1}..{row.seq - 1} deleted")
            return Problem("deleted", row.seq, f"an entry before {row.seq} was deleted (the chain breaks there)")
        checkpoint = checkpoints.get(row.seq)
        if checkpoint is not None and checkpoint.entry_hash != row.hash:
            return Problem("altered", row.seq, f"entry {row.seq} or an earlier one altered and the chain rewritten: "
                                               f"signed checkpoint {row.seq} does not match")
        good_hash, good_seq = row.hash, row.seq
        recent[row.hash] = row.seq
        accepted.append(row.seq)
        if len(recent) > _RECENT:
            recent.popitem(last=False)
            del accepted[0]
        report.entries += 1
        row = following
    return None
