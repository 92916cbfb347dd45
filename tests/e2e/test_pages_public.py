"""The public search over HTTP: name plus identifier or province, published fields only, masked ID
numbers, a challenge after repeated queries; and the language switch."""

from __future__ import annotations

import re

import pytest

from keepword.web.pages.challenge import SearchLimiter
from portal_demo import build_demo_portal


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    built = build_demo_portal(tmp_path_factory.mktemp("public"))
    built.people = built.published_people()
    yield built
    built.engine.dispose()


def test_a_name_with_an_id_number_finds_the_published_record_masked(portal):
    row = portal.people[0]
    found = portal.client().post("/search", data={"name": row.name, "identifier": row.id_number})
    assert found.status_code == 200
    assert row.case_number in found.text
    assert f"{row.id_number[:10]}****{row.id_number[14:17]}*" in found.text
    assert row.id_number not in found.text and row.phones[0] not in found.text
    assert 'value="' + row.id_number not in found.text, "the identifier typed in is not echoed"


def test_a_name_alone_or_a_wrong_identifier_is_refused_with_the_reason(portal):
    client = portal.client()
    client.cookies.set("kw_lang", "en")
    alone = client.post("/search", data={"name": portal.people[0].name})
    assert "Give an ID number or credit code, or choose a province." in alone.text
    assert "Results" not in alone.text
    bad = client.post("/search", data={"name": portal.people[0].name, "identifier": "123"})
    assert "not a valid ID number" in bad.text


def test_the_same_name_with_another_id_number_finds_nothing(portal):
    row, other = portal.people[0], portal.people[1]
    found = portal.client().post("/search", data={"name": row.name, "identifier": other.id_number})
    assert row.case_number not in found.text


def test_repeated_queries_meet_a_challenge_that_unlocks_when_answered(portal):
    limiter: SearchLimiter = portal.app.state.portal.limiter
    limiter.forget()
    client = portal.client()
    row = portal.people[0]
    for _ in range(limiter.free_queries):
        assert client.post("/search", data={"name": row.name, "identifier": row.id_number}).status_code == 200
    challenged = client.post("/search", data={"name": row.name, "identifier": row.id_number})
    assert challenged.status_code == 429 and row.case_number not in challenged.text
    token = re.search(r'name="token" value="([^"]+)"', challenged.text).group(1)
    a, b = map(int, re.search(r"(\d) \+ (\d)", challenged.text).groups())
    wrong = client.post("/search/challenge", data={"token": token, "answer": str(a + b + 1)})
    assert wrong.status_code == 429
    solved = client.post("/search/challenge", data={"token": token, "answer": str(a + b)}, follow_redirects=False)
    assert solved.status_code == 303
    assert client.post("/search", data={"name": row.name, "identifier": row.id_number}).status_code == 200
    replay = client.post("/search/challenge", data={"token": token, "answer": str(a + b)}, follow_redirects=False)
    assert replay.status_code == 429, "a solved challenge is used once"
    limiter.forget()


def test_language_follows_the_switcher_then_the_browser(portal):
    client = portal.client()
    assert "查询失信名单" in client.get("/").text
    assert "Check the list" in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    switched = client.get("/language/en?next=/search", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/search"
    assert "Search the list" in client.get("/search", headers={"Accept-Language": "zh-CN"}).text
    assert 'lang="en"' in client.get("/").text
    away = client.get("/language/zh_CN?next=//evil.example/", follow_redirects=False)
    assert away.headers["location"] == "/", "no open redirect"
    assert 'lang="zh-CN"' in client.get("/").text
