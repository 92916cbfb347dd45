"""Each partner type receives only the fields it needs, as CloudEvents, in feed order."""

from __future__ import annotations

from feed_support import PHONES, by_type, events_for, listed_debtor, pay_in_full
from keepword.feeds.pull import feed_page


def test_a_credit_bureau_gets_the_published_fields_and_never_the_full_identifier(ctx, engine):
    case = listed_debtor(ctx)
    pay_in_full(ctx, case)
    events = by_type(events_for(engine, "credit_bureau"))
    assert set(events) == {"DebtorListed", "ListingDeleted"}
    listed = events["DebtorListed"][0]
    assert listed["specversion"] == "1.0" and listed["source"] == "keepword/330102"
    assert listed["datacontenttype"] == "application/json" and listed["time"].endswith("Z")
    published = listed["data"]["published"]
    assert published["name"] == "张三" and published["case_number"] == case.case_number
    assert published["id_number_masked"].endswith("****" + published["id_number_masked"][-4:])
    identifier = case.debtors[0].party.id_number
    assert identifier not in str(events), "a bureau receives the masked ID number only"
    assert "phones" not in str(events) and PHONES[0] not in str(events)
    deleted = events["ListingDeleted"][0]
    assert deleted["data"] == {"listing_id": listed["data"]["listing_id"], "action": "delete", "deleted_on": "2024-03-04"}
    assert deleted["subject"] == listed["subject"] == listed["data"]["listing_id"]


def test_a_bank_also_gets_the_identifier(ctx, engine):
    case = listed_debtor(ctx)
    listed = by_type(events_for(engine, "bank"))["DebtorListed"][0]
    assert listed["data"]["identifier"] == case.debtors[0].party.id_number


def test_transport_and_hotels_get_identifier_their_categories_and_dates_only(ctx, engine):
    case = listed_debtor(ctx)
    pay_in_full(ctx, case)
    transport = by_type(events_for(engine, "transport"))
    assert set(transport) == {"RestrictionOrdered", "RestrictionLifted"}
    order = transport["RestrictionOrdered"][0]["data"]
    assert order["identifier"] == case.debtors[0].party.id_number
    assert set(order["categories"]) == {"air_and_berth", "high_speed_rail", "travel_holiday"}
    assert order["restricted_from"] == "2024-03-04"
    assert "张三" not in str(transport), "no name: the identifier decides"
    hotel = by_type(events_for(engine, "hotel"))
    assert set(hotel["RestrictionOrdered"][0]["data"]["categories"]) == {"star_hotel_nightclub_golf", "travel_holiday"}
    assert hotel["RestrictionLifted"][0]["data"]["action"] == "lift"


def test_a_carrier_gets_the_numbers_the_warning_and_the_announcement_then_the_stop(ctx, engine):
    case = listed_debtor(ctx)
    pay_in_full(ctx, case)
    carrier = by_type(events_for(engine, "carrier"))
    start = carrier["RingbackOrdered"][0]["data"]
    assert start["phones"] == PHONES
    assert "张三" in start["announcement"] and "杭州市上城区人民法院" in start["announcement"]
    assert start["sms_warning"]["deadline"] == start["start_on"] == "2024-03-07"  # three working days
    assert "2024年3月7日" in start["sms_warning"]["text"]
    stop = carrier["ListingDeleted"][0]["data"]
    assert stop["action"] == "stop" and stop["phones"] == PHONES and stop["measure_ids"] == [start["measure_id"]]
    assert "DebtorListed" not in carrier and case.debtors[0].party.id_number not in str(carrier)


def test_a_carrier_is_not_told_about_debtors_without_a_ringback(ctx, engine):
    case = listed_debtor(ctx, ringback=False)
    pay_in_full(ctx, case)
    assert events_for(engine, "carrier") == []


def test_pages_follow_one_another_without_gaps_or_repeats(ctx, engine):
    for _ in range(3):
        pay_in_full(ctx, listed_debtor(ctx))
    everything = events_for(engine, "government")
    ids, after, pages = [], 0, 0
    while True:
        page = feed_page(engine, "government", after, 2)
        ids.extend(e["id"] for e in page.events)
        pages += 1
        if page.next == page.head:
            break
        after = page.next
    assert ids == [e["id"] for e in everything] and pages > 3
    positions = [e["position"] for e in everything]
    assert positions == sorted(positions) and len(set(ids)) == len(ids)
