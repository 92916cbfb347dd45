"""Every public page and response, for the demo data, in both languages: no person's full ID number,
no birth month and day, no check character anywhere (RULES.md section 1 rule 6, section 4).

"Public" comes from the portal's own access table (every page the anonymous public may open), so a
new public page that this test does not request fails it.
"""

from __future__ import annotations

import re

import pytest

from keepword.services.access import PUBLIC
from keepword.web.pages import PAGE_ACCESS
from portal_demo import build_demo_portal


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    built = build_demo_portal(tmp_path_factory.mktemp("privacy"))
    yield built
    built.engine.dispose()


def forbidden_fragments(id_number: str) -> list[str]:
    """What would give away the hidden parts of a person's ID number, were it in a response."""
    return [
        id_number,                                   # the whole number
        id_number[:14],                              # region and full birth date (month and day at 11-14)
        id_number[10:18],                            # birth month and day, sequence and check character
        f"{id_number[:10]}****{id_number[14:18]}",   # masked date but the check character shown
    ]


def leaks(body: str, people: list[str]) -> list[str]:
    found = []
    for number in people:
        for fragment in forbidden_fragments(number):
            if fragment in body:
                found.append(f"{number}: {fragment}")
        # The birth month and day right next to the masked pattern (e.g. "1101011990 0307 ****").
        pattern = re.escape(number[:10]) + r"\W{0,3}" + re.escape(number[10:14])
        if re.search(pattern, body):
            found.append(f"{number}: birth date beside the region")
    return found


def public_routes() -> set[tuple[str, str]]:
    return {route for route, roles in PAGE_ACCESS.items() if PUBLIC in roles}


def test_no_public_response_gives_away_an_id_number(portal):
    people = portal.all_person_ids()
    published = portal.published_people()
    assert people and published, "the demo data must hold persons and published listings"
    requested: set[tuple[str, str]] = set()
    responses = []

    def call(client, method: str, route: str, url: str | None = None, **kwargs):
        response = client.request(method, url or route, follow_redirects=False, **kwargs)
        requested.add((method, route))
        responses.append((f"{method} {url or route}", response))
        return response

    for lang in ("zh_CN", "en"):
        client = portal.client()
        client.cookies.set("kw_lang", lang)
        for route in ("/", "/search", "/login", "/debtor/sign-in"):
            assert call(client, "GET", route).status_code == 200
        call(client, "GET", "/static/{name}", "/static/portal.css")
        call(client, "GET", "/language/{locale}", "/language/en?next=/search")
        for row in published:
            portal.app.state.portal.limiter.forget()
            found = call(client, "POST", "/search", data={"name": row.name, "identifier": row.id_number})
            assert found.status_code == 200
            assert f"{row.id_number[:10]}****{row.id_number[14:17]}*" in found.text, "the masked number is shown"
            court_province = _province(portal, row.court_id)
            call(client, "POST", "/search", data={"name": row.name, "province": court_province})
            call(client, "POST", "/search", data={"name": row.name, "identifier": row.id_number[:17] + "0"})
            # The debtor sign-in pages are public too: asking for a code, a wrong code (page and htmx answer).
            call(client, "POST", "/debtor/code", data={"case_number": row.case_number, "identifier": row.id_number})
            call(client, "POST", "/debtor/code", data={"case_number": row.case_number, "identifier": row.id_number},
                 headers={"HX-Request": "true"})
            call(client, "POST", "/debtor/sign-in",
                 data={"case_number": row.case_number, "identifier": row.id_number, "code": "000000"})
        call(client, "POST", "/login", data={"username": "nobody", "password": "wrong"})
        call(client, "POST", "/logout")
        call(client, "POST", "/debtor/sign-out")
        # Exhaust the free queries: the challenge page and a wrong answer are responses too.
        for _ in range(portal.app.state.portal.limiter.free_queries + 1):
            last = call(client, "POST", "/search", data={"name": published[0].name,
                                                         "identifier": published[0].id_number})
        assert last.status_code == 429 and "token" in last.text
        call(client, "POST", "/search/challenge", data={"token": "forged", "answer": "3"})
        portal.app.state.portal.limiter.forget()

    missing = public_routes() - requested
    assert not missing, f"public pages this test does not request: {sorted(missing)}"
    problems = []
    for what, response in responses:
        text = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        problems += [f"{what}: {leak}" for leak in leaks(text, people)]
    assert not problems, "\n".join(problems[:20])


def test_the_scanner_would_see_a_leak():
    number = "110101199003071234"
    assert leaks(f"<td>{number}</td>", [number])
    assert leaks("1101011990****1234", [number])
    assert leaks("1101011990 0307", [number])
    assert not leaks("1101011990****123*", [number])


def _province(portal, court_id: str) -> str:
    from sqlalchemy import select

    from keepword.store import tables as t
    return portal.rows(select(t.courts.c.province).where(t.courts.c.id == court_id))[0][0]
