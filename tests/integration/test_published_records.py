"""The published list reads only the parts of a case a published record shows, and shows the same."""

from __future__ import annotations

from datetime import date

import pytest

from loop_support import run_coroutine
from keepword.domain.identifiers import make_credit_code, make_id_number
from keepword.domain.publication import published_record
from keepword.services import listings, restrictions
from keepword.services.cases import PartyInput, order_measure, record_payment, register_judgment
from keepword.store.async_reads import close_async_readers
from keepword.store.compiled_reads import run_steps_on_loop
from keepword.web.api.public import published_listings
from keepword.web.api.published_read import check_party, party_check

REPRESENTATIVE = make_id_number("330102", date(1970, 4, 5), 11)


def _published_case(ctx, debtor: PartyInput, number: str) -> tuple[str, str]:
    case = register_judgment(
        ctx, court_id="330102", case_number=number, amount="250000.00",
        creditors=[PartyInput("person", "钱七", make_id_number("330102", date(1985, 1, 2), 5))],
        debtors=[debtor], judgment_date=date(2023, 12, 1), effective_date=date(2023, 12, 20),
        filed_on=date(2024, 1, 5), by="user:clerk")
    party = case.debtors[0].party.id
    today = date(2024, 3, 4)
    record_payment(ctx, case.id, amount="1000.50", paid_on=today, by="user:clerk")
    order_measure(ctx, case.id, kind="asset_search", by="user:officer", debtor_id=party, assets_found=False)
    listing = listings.propose_listing(ctx, case.id, debtor_id=party, grounds=[1, 3], by="user:officer").listings[0]
    listings.decide_listing(ctx, listing.id, signed_by="user:judge", signer_role="judge", reason="hides assets")
    listings.serve_decision(ctx, listing.id, served_on=today, by="user:officer")
    listings.file_objection(ctx, listing.id, kind="wrong_details", statement="wrong address", by="user:officer")
    order = restrictions.order_restriction(ctx, case.id, debtor_id=party, by="user:officer").restrictions[0]
    restrictions.grant_exemption(ctx, case.id, order.id, category=order.categories[0], kind="approved",
                                 reason="medical treatment", valid_from=today, valid_until=today, by="user:judge")
    return case.id, listing.id


def test_published_records_equal_those_of_the_whole_case(ctx):
    person = _published_case(ctx, PartyInput("person", "张三", make_id_number("330102", date(1980, 5, 17), 7),
                                             address="杭州市上城区某路1号"), "（2024）浙0102执1号")
    company = _published_case(ctx, PartyInput(
        "organization", "杭州华信科技有限公司", make_credit_code("9", "1", "330102", "12345678"),
        bound_persons=[{"role": "legal_representative", "name": "李四", "id_number": REPRESENTATIVE}]),
        "（2024）浙0102执2号")
    today = date(2024, 3, 4)
    with ctx.uow() as uow:
        shown = published_listings(uow, ctx.policy, today, [person[1], company[1]])
    with ctx.uow() as uow:
        whole = []
        for case_id, listing_id in (person, company):
            case = uow.cases.get(case_id)
            listing = case.listing(listing_id)
            whole.append(published_record(case, listing, case.debtor(listing.debtor_id).party, ctx.policy, today,
                                          "杭州市上城区人民法院"))
    assert shown == whole
    assert [record["listing_id"] for record in shown] == [person[1], company[1]]
    assert shown[0]["performed"] == "1000.50" and shown[1]["legal_representative"] == "李四"


def test_a_partner_check_sees_restrictions_as_the_orders_decide_them(ctx):
    debtor_id = make_id_number("330102", date(1980, 5, 17), 7)
    case_id, listing_id = _published_case(ctx, PartyInput("person", "张三", debtor_id), "（2024）浙0102执3号")
    with ctx.uow() as uow:
        order = uow.cases.get(case_id).restrictions[0]
        exempted = order.exemptions[0].category
        expected = {day: sorted(c for c in order.categories if order.restricts(c, day))
                    for day in (date(2024, 3, 4), date(2024, 3, 5))}
    with ctx.uow() as uow:
        conn = uow.session.connection()
        on_exempt_day = check_party(conn, ctx.policy, date(2024, 3, 4), debtor_id)
        next_day = check_party(conn, ctx.policy, date(2024, 3, 5), debtor_id)
        unknown = check_party(conn, ctx.policy, date(2024, 3, 4), make_id_number("330102", date(1990, 1, 1), 3))
    assert exempted not in on_exempt_day.restricted_categories and exempted in next_day.restricted_categories
    assert on_exempt_day.restricted_categories == expected[date(2024, 3, 4)]
    assert next_day.restricted_categories == expected[date(2024, 3, 5)]
    assert [r["listing_id"] for r in on_exempt_day.records] == [listing_id]
    assert unknown == (None, [], [])


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)  # the event-loop reads are PostgreSQL's
def test_on_the_event_loop_a_check_finds_what_it_finds_on_a_connection(ctx, engine):
    person_id = make_id_number("330102", date(1980, 5, 17), 7)
    _published_case(ctx, PartyInput("person", "张三", person_id), "（2024）浙0102执5号")
    company_code = make_credit_code("9", "1", "330102", "77777777")
    _published_case(ctx, PartyInput("organization", "杭州某某有限公司", company_code, bound_persons=[
        {"role": "legal_representative", "name": "李四", "id_number": REPRESENTATIVE}]), "（2024）浙0102执6号")
    unknown = make_id_number("330102", date(1990, 1, 1), 3)
    try:
        for identifier in (person_id, company_code, unknown):
            for day in (date(2024, 3, 4), date(2024, 3, 5)):
                with engine.connect() as conn:
                    expected = check_party(conn, ctx.policy, day, identifier)
                on_loop = run_coroutine(run_steps_on_loop(engine, party_check(ctx.policy, day, identifier)))
                assert on_loop == expected
    finally:
        close_async_readers(engine)
