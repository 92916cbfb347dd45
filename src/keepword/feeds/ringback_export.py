"""The carrier ringback order file: per order the SMS warning with its deadline, then the ringback itself.

Each order names every number registered to the debtor, the announcement from the court's template,
and the start and stop dates (stop: the ringback measure ended, or the listing was deleted or
revoked; until then it runs). Audio of each announcement is rendered with espeak-ng when installed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from keepword.domain.courts import Court
from keepword.domain.policy import Policy
from keepword.feeds.carrier import announcement_text, espeak_available, render_announcement_audio, sms_warning_text
from keepword.store import tables as t

#: Working days between the order and the start, during which the SMS warning runs (as EnforcementCase.order_measure).
WARNING_WORKING_DAYS = 3
CSV_COLUMNS = ("step", "measure_id", "court_id", "court", "case_number", "debtor_name", "phones", "send_on",
               "deadline", "text", "start_on", "stop_on", "audio")


def ringback_orders(conn: Connection, policy: Policy, *, active_only: bool = False,
                    court_id: str | None = None) -> list[dict]:
    """Ringback orders with their numbers, texts and dates, oldest first."""
    m, c, p, l = t.measures.c, t.cases.c, t.parties.c, t.listings.c
    query = (select(m.id, m.case_id, m.debtor_id, m.ordered_on, m.ended_on, c.court_id, c.case_number,
                    p.name, p.phones).join(t.cases, c.id == m.case_id).join(t.parties, p.id == m.debtor_id)
             .where(m.kind == "ringback_notice").order_by(m.ordered_on, m.id))
    if court_id:
        query = query.where(c.court_id == court_id)
    rows = list(conn.execute(query))
    courts = {r.id: Court(id=r.id, name=r.name, province=r.province, level=r.level, timezone=r.timezone,
                          ringback_template=r.ringback_template)
              for r in conn.execute(select(t.courts).where(t.courts.c.id.in_({r.court_id for r in rows})))}
    ended_listing: dict[tuple[str, str], date] = {}
    in_force: set[tuple[str, str]] = set()
    for r in conn.execute(select(l.case_id, l.debtor_id, l.state, l.deleted_on, l.revoked_on)
                          .where(l.case_id.in_({r.case_id for r in rows}))):
        key = (r.case_id, r.debtor_id)
        if r.state in ("deleted", "revoked"):
            ended = r.deleted_on or r.revoked_on
            if ended and (key not in ended_listing or ended < ended_listing[key]):
                ended_listing[key] = ended
        elif r.state in ("decided", "served", "published"):
            in_force.add(key)
    orders = []
    for r in rows:
        key = (r.case_id, r.debtor_id)
        stop = r.ended_on or (ended_listing.get(key) if key not in in_force else None)
        if active_only and stop is not None:
            continue
        court = courts.get(r.court_id)
        start = policy.calendar.add_working_days(r.ordered_on, WARNING_WORKING_DAYS)
        orders.append({"measure_id": r.id, "court_id": r.court_id, "court": court.name if court else None,
                       "case_number": r.case_number, "debtor_name": r.name, "phones": list(r.phones or []),
                       "ordered_on": r.ordered_on.isoformat(), "sms_text": sms_warning_text(court, r.name, start),
                       "sms_deadline": start.isoformat(), "announcement": announcement_text(court, r.name),
                       "start_on": start.isoformat(), "stop_on": stop.isoformat() if stop else None})
    return orders


def ringback_file_rows(engine: Engine, policy: Policy, *, court_id: str | None = None, since: date | None = None,
                       audio_dir: Path | None = None) -> tuple[list[dict], str | None]:
    """The rows of the carrier file and a note (audio skipped, say).

    Without ``since``: every running order (SMS warning, then ringback). With ``since``: orders placed
    since that day, and stops since that day.
    """
    with engine.connect() as conn:
        orders = ringback_orders(conn, policy, court_id=court_id)
    note = None
    render_audio = audio_dir is not None and espeak_available()
    if audio_dir is not None and not render_audio:
        note = "espeak-ng is not installed: announcement audio skipped (apt-get install espeak-ng)"
    rows: list[dict] = []
    for order in orders:
        common = {k: order[k] for k in ("measure_id", "court_id", "court", "case_number", "debtor_name", "phones")}
        started_in_range = since is None or date.fromisoformat(order["ordered_on"]) >= since
        if order["stop_on"] is None and started_in_range:
            audio = None
            if render_audio:
                audio = render_announcement_audio(order["announcement"], audio_dir / f"ringback-{order['measure_id']}.wav")
            rows.append({**common, "step": "sms_warning", "send_on": order["ordered_on"],
                         "deadline": order["sms_deadline"], "text": order["sms_text"]})
            rows.append({**common, "step": "ringback_start", "start_on": order["start_on"], "stop_on": None,
                         "text": order["announcement"], "audio": audio.name if audio else None})
        elif order["stop_on"] is not None and since is not None and date.fromisoformat(order["stop_on"]) >= since:
            rows.append({**common, "step": "ringback_stop", "start_on": order["start_on"], "stop_on": order["stop_on"]})
    return rows, note


def write_rows(rows: Iterable[dict], fmt: str, columns: tuple[str, ...]) -> str:
    """JSON Lines or CSV text (lists in CSV cells joined by ';')."""
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ";".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()})
    return out.getvalue()
