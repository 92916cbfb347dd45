"""Demo data written through the units of work, and the statistics read back with SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from keepword.bootstrap import build_context
from keepword.demo.generator import DemoGenerator
from keepword.demo.loading import demo_context, load_demo, registry_counts
from keepword.domain.errors import AlreadyExists
from keepword.domain.listings import IN_FORCE
from keepword.stats.enforcement import court_subtree_ids, enforcement_stats, enforcement_stats_by_court
from keepword.store import tables as t

AS_OF = date(2026, 6, 30)
CASES = 120
SEED = 5


@pytest.fixture
def demo_engine(engine):
    load_demo(demo_context(engine), engine, cases=CASES, seed=SEED, as_of=AS_OF, batch_size=60)
    return engine


def expected_from_the_domain(today: date) -> dict:
    """The same numbers counted in Python on the generated domain objects: the oracle for the SQL."""
    cases = list(DemoGenerator(SEED, AS_OF).cases(CASES))
    listings = [l for c in cases for l in c.listings]
    deleted = [l for l in listings if l.state == "deleted"]
    return {
        "cases": len(cases),
        "open": sum(c.is_open for c in cases),
        "closed_by_outcome": Counter(c.outcome for c in cases if not c.is_open),
        "paid_total": f"{sum((c.paid.amount for c in cases), Decimal(0)):.2f}",
        "outstanding_total": f"{sum((c.outstanding.amount for c in cases if c.is_open), Decimal(0)):.2f}",
        "listings_by_state": Counter(l.state for l in listings),
        "listed_debtors": len({l.debtor_id for l in listings if l.state in IN_FORCE}),
        "deletions_on_time": sum(l.deleted_on <= l.deletion_due for l in deleted),
        "overdue_deletions": sum(l.deletion_pending and l.deletion_due < today for l in listings),
        "restricted_active": sum(r.active for c in cases for r in c.restrictions),
        "objections_open": sum(o.open for l in listings for o in l.objections),
        "case_numbers": sorted(c.case_number for c in cases),
    }


def test_stats_match_the_domain_objects_and_add_up(demo_engine):
    today = date(2026, 7, 15)
    stats = enforcement_stats(demo_engine, today=today)
    expected = expected_from_the_domain(today)
    assert stats["cases"] == expected["cases"] == CASES
    assert stats["cases"] == stats["open"] + stats["closed"]
    assert stats["open"] == expected["open"]
    assert stats["closed"] == sum(stats["closed_by_outcome"].values())
    assert {k: v for k, v in stats["closed_by_outcome"].items() if v} == dict(expected["closed_by_outcome"])
    assert stats["fulfilled"] == stats["closed_by_outcome"]["fulfilled"]
    assert stats["enforcement_rate"] == round((stats["fulfilled"] + stats["settled"]) / stats["cases"], 4)
    assert "fulfilled or settled" in stats["enforcement_rate_definition"]
    assert stats["paid_total"] == expected["paid_total"]
    assert stats["outstanding_total"] == expected["outstanding_total"]
    assert {k: v for k, v in stats["listings_by_state"].items() if v} == dict(expected["listings_by_state"])
    assert stats["listed_active"] == sum(stats["listings_by_state"][s] for s in ("decided", "served", "published"))
    assert stats["listed_debtors"] == expected["listed_debtors"]
    assert stats["deleted"] == sum(stats["deleted_by_condition"].values())
    assert stats["deleted"] == stats["deletions_on_time"] + stats["deletions_late"]
    assert stats["deletions_on_time"] == expected["deletions_on_time"]
    assert stats["deletion_deadline_compliance"] == round(stats["deletions_on_time"] / stats["deleted"], 4)
    assert stats["overdue_deletions"] == expected["overdue_deletions"] > 0
    assert stats["restricted_active"] == expected["restricted_active"]
    assert stats["objections_open"] == expected["objections_open"]
    with demo_engine.connect() as conn:
        numbers = sorted(conn.execute(select(t.cases.c.case_number)).scalars())
        payments = conn.execute(select(func.count()).select_from(t.payments)).scalar_one()
        outbox = conn.execute(select(func.count()).select_from(t.outbox)).scalar_one()
        audited = conn.execute(select(func.count()).select_from(t.audit_log)).scalar_one()
    assert numbers == expected["case_numbers"]
    assert payments > 0 and outbox > CASES  # every step went through the outbox
    assert audited == outbox  # and every step is in the audit log, attributed to its officer

    # overdue deletions depend on the day asked about
    assert enforcement_stats(demo_engine, today=date(2019, 1, 1))["overdue_deletions"] == 0
    later = enforcement_stats(demo_engine, today=date(2030, 1, 1))
    assert later["overdue_deletions"] == later["pending_deletions"] > 0

    # per-court rows add up, and a supervisor's subtree sees only its courts
    rows = enforcement_stats_by_court(demo_engine, today=today)
    assert sum(r["cases"] for r in rows) == stats["cases"]
    assert sum(r["listed_active"] for r in rows) == stats["listed_active"]
    assert sum(r["overdue_deletions"] for r in rows) == stats["overdue_deletions"]
    assert sum(Decimal(r["paid_total"]) for r in rows) == Decimal(stats["paid_total"])
    assert all(r["court_name"].endswith("法院") for r in rows)
    zhejiang = court_subtree_ids(demo_engine, "330000")
    assert "330102" in zhejiang and "110108" not in zhejiang and "000000" not in zhejiang
    scoped = enforcement_stats(demo_engine, zhejiang, today=today)
    assert scoped["courts_in_scope"] == len(zhejiang)
    assert scoped["cases"] == sum(r["cases"] for r in rows if r["province"] == "浙江") > 0
    assert enforcement_stats(demo_engine, [], today=today)["cases"] == 0
    assert court_subtree_ids(demo_engine, "no-such-court") == []


def test_a_second_demo_is_refused_unless_reset_and_then_gives_the_same_data(engine):
    ctx = build_context(engine, policy_id="cn-spc")
    load_demo(ctx, engine, cases=40, seed=9, as_of=AS_OF, batch_size=15)
    before = enforcement_stats(engine, today=AS_OF)
    with engine.connect() as conn:
        names = sorted(conn.execute(select(t.parties.c.name, t.parties.c.id, t.parties.c.id_number)).all())
    with pytest.raises(AlreadyExists) as info:
        load_demo(ctx, engine, cases=10, seed=9, as_of=AS_OF)
    assert "--reset" in info.value.message and info.value.details["field"] == "database"
    assert registry_counts(engine)["cases"] == 40  # nothing half-written
    load_demo(ctx, engine, cases=40, seed=9, as_of=AS_OF, reset=True)
    assert enforcement_stats(engine, today=AS_OF) == before
    with engine.connect() as conn:
        assert sorted(conn.execute(select(t.parties.c.name, t.parties.c.id, t.parties.c.id_number)).all()) == names
