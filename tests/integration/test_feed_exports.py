"""The credit-bureau file (snapshot and delta, JSON Lines and CSV), the carrier ringback order, the snapshot."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date

import pytest

from feed_support import PHONES, listed_debtor, pay_in_full
from keepword.feeds.bureau_export import CSV_COLUMNS, bureau_delta, bureau_snapshot
from keepword.feeds.ringback_export import CSV_COLUMNS as RINGBACK_COLUMNS, ringback_file_rows, write_rows
from keepword.feeds.snapshot import open_snapshot


def test_the_bureau_snapshot_holds_the_published_list_and_its_position(ctx, engine, clock):
    kept = listed_debtor(ctx)
    pay_in_full(ctx, listed_debtor(ctx))
    position, rows = bureau_snapshot(engine, ctx.policy, clock.now())
    assert [r["listing_id"] for r in rows] == [kept.listings[0].id]
    assert rows[0]["position"] == position > 0 and rows[0]["name"] == "张三" and rows[0]["action"] == "list"
    assert kept.debtors[0].party.id_number not in json.dumps(rows)
    text = write_rows(rows, "csv", CSV_COLUMNS)
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed[0]["listing_id"] == kept.listings[0].id and parsed[0]["case_number"] == kept.case_number
    assert json.loads(write_rows(rows, "jsonl", CSV_COLUMNS).splitlines()[0])["court"] == "杭州市上城区人民法院"


def test_a_bureau_delta_since_a_position_carries_the_delisting(ctx, engine, clock):
    case = listed_debtor(ctx)
    position, _ = bureau_snapshot(engine, ctx.policy, clock.now())
    pay_in_full(ctx, case)
    head, rows = bureau_delta(engine, position)
    rows = list(rows)
    assert [r["action"] for r in rows] == ["delete"] and rows[0]["listing_id"] == case.listings[0].id
    assert head > position and rows[0]["position"] > position
    assert list(bureau_delta(engine, head)[1]) == []


def test_each_partner_type_snapshot_matches_its_view(ctx, engine, clock):
    case = listed_debtor(ctx)
    with open_snapshot(engine, "transport", ctx.policy, clock.now()) as snap:
        (item,) = list(snap.items)
    assert item["identifier"] == case.debtors[0].party.id_number and "high_speed_rail" in item["categories"]
    assert "star_hotel_nightclub_golf" not in item["categories"]
    with open_snapshot(engine, "carrier", ctx.policy, clock.now()) as snap:
        (order,) = list(snap.items)
    assert order["phones"] == PHONES and order["start_on"] == "2024-03-07"
    pay_in_full(ctx, case)
    for partner_type in ("carrier", "transport", "credit_bureau"):
        with open_snapshot(engine, partner_type, ctx.policy, clock.now()) as snap:
            assert list(snap.items) == [], f"{partner_type}: a delisted debtor is in nobody's list"


def test_the_ringback_order_puts_the_sms_warning_first_and_stops_on_delisting(ctx, engine, clock):
    case = listed_debtor(ctx)
    rows, _ = ringback_file_rows(engine, ctx.policy)
    assert [r["step"] for r in rows] == ["sms_warning", "ringback_start"]
    warning, start = rows
    assert warning["phones"] == start["phones"] == PHONES
    assert warning["deadline"] == start["start_on"] == "2024-03-07" and "2024年3月7日" in warning["text"]
    assert "张三" in start["text"] and case.case_number == start["case_number"]
    parsed = list(csv.DictReader(io.StringIO(write_rows(rows, "csv", RINGBACK_COLUMNS))))
    assert parsed[0]["phones"] == ";".join(PHONES)
    pay_in_full(ctx, case)
    assert ringback_file_rows(engine, ctx.policy)[0] == []
    stops, _ = ringback_file_rows(engine, ctx.policy, since=date(2024, 3, 1))
    assert [(r["step"], r["stop_on"]) for r in stops] == [("ringback_stop", "2024-03-04")]


def test_the_court_template_gives_the_announcement(ctx, engine):
    with ctx.uow() as uow:
        uow.courts.get("330102").ringback_template = "{name}是{court}公布的失信被执行人。"
        uow.commit()
    listed_debtor(ctx)
    rows, _ = ringback_file_rows(engine, ctx.policy)
    assert rows[1]["text"] == "张三是杭州市上城区人民法院公布的失信被执行人。"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_announcement_audio_is_rendered_with_espeak(ctx, engine, tmp_path):
    listed_debtor(ctx)
    rows, note = ringback_file_rows(engine, ctx.policy, audio_dir=tmp_path / "audio")
    assert note is None
    audio = tmp_path / "audio" / rows[1]["audio"]
    assert audio.read_bytes()[:4] == b"RIFF" and audio.stat().st_size > 10_000


def test_without_espeak_the_file_is_still_written_and_says_audio_was_skipped(ctx, engine, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    listed_debtor(ctx)
    rows, note = ringback_file_rows(engine, ctx.policy, audio_dir=tmp_path / "audio")
    assert "espeak-ng" in note and rows[1]["audio"] is None and not (tmp_path / "audio").exists()
