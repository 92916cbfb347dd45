"""The supervisor's dashboard: charts drawn on the server and the same numbers as tables, for their courts."""

from __future__ import annotations

import pytest

from keepword.stats.enforcement import enforcement_stats
from keepword.store.repositories import CourtRepository
from portal_demo import AS_OF, build_demo_portal


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    built = build_demo_portal(tmp_path_factory.mktemp("supervisor"))
    yield built
    built.engine.dispose()


def test_the_dashboard_shows_charts_and_the_numbers_of_the_supervisors_courts(portal):
    client = portal.staff("zj-supervisor", ["supervisor"], "330000")
    client.cookies.set("kw_lang", "en")
    page = client.get("/supervisor")
    assert page.status_code == 200
    assert page.text.count("<svg") == 3 and 'role="img"' in page.text
    for title in ("Enforcement rate over time", "Listings and deletions per month", "Deletion deadline compliance"):
        assert title in page.text
    with portal.app.state.keepword.ctx.uow() as uow:
        courts = CourtRepository(uow.session).subtree_ids("330000")
    stats = enforcement_stats(portal.engine, court_ids=courts, today=AS_OF)
    assert f"{stats['enforcement_rate'] * 100:.1f}%" in page.text
    assert "2026-06" in page.text and "2025-07" in page.text, "twelve months, as a table too"
    assert "北京" not in page.text, "courts outside the subtree stay out"


def test_only_supervisors_open_the_dashboard(portal):
    officer = portal.staff("dash-officer", ["officer"], "330102")
    assert officer.get("/supervisor").status_code == 403
