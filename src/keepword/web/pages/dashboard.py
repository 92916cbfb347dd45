"""The supervisor's numbers as charts and tables: the headline figures come from keepword.stats.enforcement,
the twelve-month series from the portal's monthly query. Every chart has a table with the same numbers."""

from __future__ import annotations

from datetime import date

from keepword.stats.enforcement import enforcement_stats, enforcement_stats_by_court
from keepword.store import portal_queries as q
from keepword.web.pages.charts import Series, bar_chart, line_chart

MONTHS = 12


def month_keys(today: date, count: int = MONTHS) -> list[tuple[int, int]]:
    index = today.year * 12 + today.month - 1
    return [divmod(i, 12) for i in range(index - count + 1, index + 1)]


def monthly_rows(activity: dict, months: list[tuple[int, int]]) -> list[dict]:
    """One row per month: the month's counts, the enforcement rate so far, the month's deadline compliance."""
    before = activity.get((0, 0), {})
    filed, enforced = before.get("filed", 0), before.get("enforced", 0)
    rows = []
    for year, month0 in months:
        counts = activity.get((year, month0 + 1), {})
        filed += counts.get("filed", 0)
        enforced += counts.get("enforced", 0)
        deleted, on_time = counts.get("deleted", 0), counts.get("deleted_on_time", 0)
        rows.append({"month": f"{year}-{month0 + 1:02d}", "filed": counts.get("filed", 0),
                     "enforced": counts.get("enforced", 0), "published": counts.get("published", 0),
                     "deleted": deleted, "deleted_on_time": on_time,
                     "enforcement_rate": enforced / filed if filed else None,
                     "compliance": on_time / deleted if deleted else None})
    return rows


def _percent(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def dashboard(p, court_ids: list[str], today: date, _) -> dict:
    """Charts (inline SVG), their tables and the headline figures for the courts in ``court_ids``."""
    stats = enforcement_stats(p.engine, court_ids=court_ids, today=today)
    by_court = enforcement_stats_by_court(p.engine, court_ids=court_ids, today=today)
    months = month_keys(today)
    first = date(months[0][0], months[0][1] + 1, 1)
    with p.session() as session:
        rows = monthly_rows(q.monthly_activity(session, court_ids, first), months)
    labels = [r["month"][2:] for r in rows]
    titles = [_("Enforcement rate over time"), _("Listings and deletions per month"), _("Deletion deadline compliance")]
    svgs = [
        line_chart(titles[0],
                   _("Share of cases filed so far that ended fulfilled or settled, at the end of each month."),
                   labels, [Series(_("Enforcement rate"), [r["enforcement_rate"] for r in rows])],
                   y_max=1.0, y_format=lambda v: f"{v * 100:.0f}%"),
        bar_chart(titles[1],
                  _("Listings published and deletions carried out in each month."),
                  labels, [Series(_("Published"), [r["published"] for r in rows]),
                           Series(_("Deleted"), [r["deleted"] for r in rows])]),
        line_chart(titles[2],
                   _("Share of the month's deletions carried out within 3 working days of their condition."),
                   labels, [Series(_("On time"), [r["compliance"] for r in rows])],
                   y_max=1.0, y_format=lambda v: f"{v * 100:.0f}%"),
    ]
    charts = [{"title": title, "svg": svg} for title, svg in zip(titles, svgs)]
    for row in rows:
        row["enforcement_rate_text"], row["compliance_text"] = _percent(row["enforcement_rate"]), _percent(row["compliance"])
    return {"stats": stats, "by_court": by_court, "rows": rows, "charts": charts,
            "rate": _percent(stats.get("enforcement_rate")),
            "compliance": _percent(stats.get("deletion_deadline_compliance"))}
