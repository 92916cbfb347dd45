"""The answer to GET /cases/{id} (written by the database on SQLite, from the records it returns on
PostgreSQL) must be, byte for byte, the JSON the loaded aggregate's ``CaseOut`` gives, whatever the text,
amounts and timestamps hold."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import update

from factories import party_input, person
from loop_support import run_coroutine
from keepword.services import listings, restrictions
from keepword.services.cases import order_measure, record_payment, register_judgment
from keepword.store import tables as t
from keepword.store.async_reads import close_async_readers
from keepword.store.sqlite_reads import close_readers
from keepword.web.api.case_json import case_json
from keepword.web.api.present import case_out

TODAY = date(2024, 3, 4)
_numbers = itertools.count(1)

# Text as people type it and as it should never break: quotes, backslashes, control characters,
# line breaks, CJK (simplified and traditional), characters outside the BMP, separators JSON leaves alone.
# (Not NUL: the API refuses it, as PostgreSQL cannot store it.)
AWKWARD = ["", 'say "paid"', "C:\\path\\to", "tab\there\nnew line\r\n", "\x01\x08\x1f\x7f and 張三", "张三 張三 𠀀 😀",
           "\u2028\u2029", "'; DROP TABLE cases; --", "{\"json\": [1, 2]}"]
texts = st.one_of(st.sampled_from(AWKWARD), st.text(st.characters(codec="utf-8", blacklist_characters="\x00"), max_size=60))
timestamps = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                          timezones=st.just(timezone.utc))


@pytest.fixture
def stored(ctx, engine):
    """The services and engine of the test database (SQLite, PostgreSQL); the reads' connections closed after."""
    yield ctx, engine
    close_readers(engine)
    close_async_readers(engine)


def _document(engine, case_id: str) -> tuple | None:
    return run_coroutine(case_json(engine, case_id))


def _expected(ctx, case_id: str) -> str:
    with ctx.uow() as uow:
        return case_out(uow.cases.get(case_id)).model_dump_json()


def _case(ctx, text: str, cents: int):
    debtor = person("张三")
    return register_judgment(
        ctx, court_id="330102", case_number=f"（2024）浙0102执{next(_numbers)}号", amount=f"{cents / 100:.2f}",
        creditors=[party_input(person("李四"))], debtors=[party_input(debtor)], obligation_text=text,
        judgment_date=date(2023, 12, 1), effective_date=date(2023, 12, 20), filed_on=date(2024, 3, 1), by="user:clerk")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, cents=st.integers(100, 10**13), paid_cents=st.integers(1, 10**6), recorded_at=timestamps,
       value_cents=st.one_of(st.none(), st.integers(0, 10**12)), assets_found=st.sampled_from([None, True, False]))
def test_the_database_writes_what_the_response_model_writes(stored, text, cents, paid_cents, recorded_at,
                                                             value_cents, assets_found):
    ctx, engine = stored
    case = _case(ctx, text, cents)
    debtor = case.debtors[0].party.id
    record_payment(ctx, case.id, amount=f"{min(paid_cents, cents - 1) / 100:.2f}", paid_on=TODAY, by="user:clerk",
                   note=text, payer_id=debtor)
    value = None if value_cents is None else f"{value_cents / 100:.2f}"
    order_measure(ctx, case.id, kind="asset_freeze", by="user:officer", debtor_id=debtor, value=value,
                  assets_found=assets_found, note=text)
    with engine.begin() as conn:  # any instant, stored as the store stores it
        conn.execute(update(t.payments).where(t.payments.c.case_id == case.id).values(recorded_at=recorded_at))

    court, version, document = _document(engine, case.id)
    assert court == "330102" and version == 3, "registered, paid, measured"
    assert document == _expected(ctx, case.id)


def test_every_part_of_a_case_in_the_orders_of_the_aggregate(stored):
    ctx, engine = stored
    case = _case(ctx, AWKWARD[3], 25_000_000)
    debtor = case.debtors[0].party.id
    for day, note in ((TODAY, AWKWARD[1]), (date(2024, 3, 2), AWKWARD[5]), (date(2024, 3, 2), "")):
        record_payment(ctx, case.id, amount="10.05", paid_on=day, by="user:clerk", note=note)
    listing = listings.propose_listing(ctx, case.id, debtor_id=debtor, grounds=[1, 3], by="user:officer").listings[0]
    listings.decide_listing(ctx, listing.id, signed_by="user:judge", signer_role="judge", reason=AWKWARD[2])
    listings.serve_decision(ctx, listing.id, served_on=TODAY, by="user:officer")
    listings.file_objection(ctx, listing.id, kind="wrong_details", statement=AWKWARD[4], by="user:officer")
    order = restrictions.order_restriction(ctx, case.id, debtor_id=debtor, by="user:officer").restrictions[0]
    for category in order.categories[:3]:
        restrictions.grant_exemption(ctx, case.id, order.id, category=category, kind="approved",
                                     reason=AWKWARD[7], valid_from=TODAY, valid_until=date(2024, 4, 4),
                                     by="user:judge")

    document = _document(engine, case.id)[2]
    assert document == _expected(ctx, case.id)
    assert '"paid":"30.15","outstanding":"249969.85"' in document
    assert document.count('"kind":"wrong_details"') == 1 and document.count('"category":') == 3


def test_no_case_no_document(stored):
    assert _document(stored[1], "0" * 26) is None
