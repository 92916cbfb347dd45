"""Public pages: the home page, the language switch and the disclosure search.

Only published fields leave these views (``published_record``); a person's ID number only masked.
The search runs as POST so that an ID number never lands in a URL, a log line or the history, and
the form never echoes the identifier it was given.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from keepword.domain.errors import InvalidIdentifier
from keepword.domain.identifiers import normalize_identifier, parse_credit_code, parse_id_number
from keepword.domain.publication import published_record
from keepword.store import portal_queries as q
from keepword.web import i18n
from keepword.web.pages.access import viewer
from keepword.web.pages.labels import GROUNDS
from keepword.web.pages.rendering import gettext_for, render, safe_next, see_other
from keepword.web.pages.wiring import Portal, portal

router = APIRouter()

STATIC_DIR = Path(__file__).parent / "static"
STATIC = {"portal.css": "text/css", "htmx.min.js": "text/javascript"}


@router.get("/static/{name}", include_in_schema=False)
def static_file(name: str) -> Response:
    if name not in STATIC:
        return Response(status_code=404)
    return FileResponse(STATIC_DIR / name, media_type=STATIC[name],
                        headers={"Cache-Control": "public, max-age=3600"})


@router.get("/", include_in_schema=False)
def home(request: Request, _=Depends(viewer)):
    return render(request, "home.html")


@router.get("/language/{locale}", include_in_schema=False)
def switch_language(locale: str, next: str = "/") -> RedirectResponse:
    response = see_other(safe_next(next))
    if locale in i18n.LOCALES:
        response.set_cookie(i18n.COOKIE, locale, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _search_page(request: Request, p: Portal, **context):
    with p.session() as session:
        provinces = [(name, name) for name in q.provinces(session)]
    return render(request, "public/search.html", {"provinces": provinces, **context})


@router.get("/search", include_in_schema=False)
def search_form(request: Request, p: Portal = Depends(portal), _=Depends(viewer)):
    return _search_page(request, p, form={}, errors={}, results=None)


@router.post("/search", include_in_schema=False)
def search(request: Request, name: str = Form(""), identifier: str = Form(""), province: str = Form(""),
           p: Portal = Depends(portal), _v=Depends(viewer)):
    _ = gettext_for(request)
    name = " ".join(name.split())
    form = {"name": name, "province": province}
    errors: dict[str, str] = {}
    id_number = credit_code = None
    if not name:
        errors["name"] = _("Enter the full name of the person or organisation.")
    raw = normalize_identifier(identifier or "")
    if raw:
        try:
            id_number = parse_id_number(raw).number
        except InvalidIdentifier:
            try:
                credit_code = parse_credit_code(raw).code
            except InvalidIdentifier:
                errors["identifier"] = _("This is not a valid ID number or Unified Social Credit Code.")
    elif not province:
        errors["identifier"] = _("Give an ID number or credit code, or choose a province.")
    if errors:
        return _search_page(request, p, form=form, errors=errors, results=None)
    client = _client(request)
    if not p.limiter.allow(client):
        return render(request, "public/challenge.html", {"challenge": p.limiter.new_challenge(client), "errors": {}},
                      status_code=429)
    results = _published(p, name=name, id_number=id_number, credit_code=credit_code,
                         province=None if raw else province, gettext=_)
    searched_by = _("name and ID number") if id_number else _("name and credit code") if credit_code else \
        _("name and province")
    return _search_page(request, p, form=form, errors={}, results=results, searched_by=searched_by)


@router.post("/search/challenge", include_in_schema=False)
def solve_challenge(request: Request, token: str = Form(""), answer: str = Form(""), p: Portal = Depends(portal),
                    _v=Depends(viewer)):
    client = _client(request)
    if p.limiter.solve(client, token, answer):
        return see_other("/search?unlocked=1")
    _ = gettext_for(request)
    return render(request, "public/challenge.html",
                  {"challenge": p.limiter.new_challenge(client), "errors": {"answer": _("That is not the answer; try this one.")}},
                  status_code=429)


def _published(p: Portal, *, name: str, id_number: str | None, credit_code: str | None, province: str | None,
               gettext) -> list[dict]:
    """The published records found, as the policy publishes them (and nothing more)."""
    today = p.ctx.clock.now().astimezone(p.ctx.policy.zone).date()
    records = []
    with p.read() as uow:
        rows = q.published_listings(uow.session, name=name, id_number=id_number, credit_code=credit_code,
                                    province=province)
        for row in rows:
            case = uow.cases.get(row["case_id"])
            listing = case.listing(row["listing_id"])
            party = case.debtor(row["debtor_id"]).party
            court = uow.courts.find(case.court_id)
            record = published_record(case, listing, party, p.ctx.policy, today, court.name if court else None)
            record["conduct"] = [gettext(GROUNDS[n]) if n in GROUNDS else t
                                 for n, t in zip(sorted(listing.grounds), record.get("conduct") or [])]
            records.append(record)
    return records
