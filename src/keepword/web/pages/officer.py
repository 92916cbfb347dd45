"""The officer console: what is due, case search, the case page and the listing bars (an htmx fragment)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from keepword.accounts.tokens import court_subtree
from keepword.domain.errors import KeepwordError, NotFound
from keepword.services import listings as listing_services
from keepword.services.access import CLERK, JUDGE, OFFICER, SUPERVISOR, Principal
from keepword.store import portal_queries as q
from keepword.web.pages.access import gate, staff_courts, viewer
from keepword.web.pages.actions import ACTIONS
from keepword.web.pages.labels import LISTING_STATES
from keepword.web.pages.rendering import gettext_for, render
from keepword.web.pages.timeline import details, listing_timelines
from keepword.web.pages.wiring import Portal, portal

router = APIRouter()

STAFF = (CLERK, OFFICER, JUDGE)
PAGE_SIZE = 50


def today_of(p: Portal):
    return p.ctx.clock.now().astimezone(p.ctx.policy.zone).date()


def courts_below(p: Portal, me: Principal) -> frozenset[str]:
    """The courts whose appeals ``me`` hears: every court under their own, never their own."""
    if not me.court_id:
        return frozenset()
    accounts = p.accounts
    with (accounts.reader or accounts.engine).connect() as conn:
        return court_subtree(accounts, conn, me.court_id) - {me.court_id}


@router.get("/officer", include_in_schema=False)
def start(request: Request, p: Portal = Depends(portal), me: Principal = Depends(viewer)):
    if (denied := gate(request, me, *STAFF)) is not None:
        return denied
    today = today_of(p)
    calendar = p.ctx.policy.calendar
    horizon = calendar.add_working_days(today, p.ctx.policy.deletion_working_days)
    below = courts_below(p, me) if me.has(JUDGE) else frozenset()
    with p.session() as session:
        due = q.due_work(session, staff_courts(me), deletion_horizon=horizon,
                         grace_horizon=calendar.add_working_days(today, 10))
        evidence = q.evidence_to_review(session, staff_courts(me))
        appeals = q.pending_appeals(session, sorted(below)) if below else []
    overdue = sum(1 for a in appeals if a["appeal_due"] and a["appeal_due"] < today)
    return render(request, "officer/start.html", {"due": due, "today": today, "horizon": horizon, "evidence": evidence,
                                                  "appeals": appeals, "overdue_appeals": overdue})


@router.get("/officer/cases", include_in_schema=False)
def cases(request: Request, court: str = "", status: str = "", listing_state: str = "", number: str = "",
          name: str = "", identifier: str = "", page: int = 1, p: Portal = Depends(portal),
          me: Principal = Depends(viewer)):
    if (denied := gate(request, me, *STAFF, SUPERVISOR)) is not None:
        return denied
    page = max(1, page)
    courts = staff_courts(me)
    filters = q.CaseFilter(court_ids=courts, court_id=court or None, status=status or None,
                           listing_state=listing_state or None, case_number=number or None,
                           debtor_name=name or None, debtor_identifier=identifier or None)
    with p.session() as session:
        found, total = q.search_cases(session, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        court_rows = q.courts(session, courts)
    court_names = {c["id"]: c["name"] for c in court_rows}
    _ = gettext_for(request)
    state_options = [("", _("Any"))] + [(key, _(text)) for key, text in LISTING_STATES.items()]
    query = {"court": court, "status": status, "listing_state": listing_state, "number": number, "name": name,
             "identifier": identifier}
    return render(request, "officer/cases.html", {
        "found": found, "total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE)),
        "courts": court_rows, "court_names": court_names, "query": query, "state_options": state_options})


def load_case(p: Portal, me: Principal, case_id: str):
    """The case aggregate, if it belongs to a court the principal may see (else NotFound, never a hint)."""
    with p.read() as uow:
        case = uow.cases.get(case_id)
        court = uow.courts.find(case.court_id)
    if not me.may_see_court(case.court_id):
        raise NotFound(f"case {case_id} not found", case_id=case_id)
    return case, court


def not_found(request: Request) -> Response:
    _ = gettext_for(request)
    return render(request, "error.html", {"title": _("Not found"),
                                          "message": _("No such case in your courts.")}, status_code=404)


@router.get("/officer/cases/{case_id}", include_in_schema=False)
def case_page(case_id: str, request: Request, p: Portal = Depends(portal), me: Principal = Depends(viewer)):
    if (denied := gate(request, me, *STAFF, SUPERVISOR)) is not None:
        return denied
    try:
        case, court = load_case(p, me, case_id)
    except NotFound:
        return not_found(request)
    with p.read() as uow:
        events = q.case_events(uow.session, case_id)
        evidence = p.evidence_for(uow).of_case(case_id)
    for event in events:
        event["details"] = details(event)
    timelines, case_events = listing_timelines(case, events)
    actions = [a for a in ACTIONS.values() if a.applies(case) and me.has(*a.roles)]
    return render(request, "officer/case.html", {
        "case": case, "court": court, "timelines": timelines, "case_events": case_events, "actions": actions,
        "evidence": evidence, "today": today_of(p), "may_review": me.has(CLERK, OFFICER)})


@router.post("/officer/cases/{case_id}/bars", include_in_schema=False)
async def bars(case_id: str, request: Request, p: Portal = Depends(portal), me: Principal = Depends(viewer)):
    """The bars that apply to the proposal as it stands in the form (htmx swaps this fragment in)."""
    if (denied := gate(request, me, OFFICER, JUDGE)) is not None:
        return denied
    form = await request.form()
    grounds = sorted({int(g) for g in form.getlist("grounds") if str(g).isdigit()})
    try:
        found = await run_in_threadpool(_bars, p, me, case_id, form.get("debtor_id") or "", grounds,
                                        form.get("applicant_id") or None)
    except NotFound:
        return not_found(request)
    return render(request, "officer/_bars.html", {"bars": found, "grounds": grounds})


def _bars(p: Portal, me: Principal, case_id: str, debtor_id: str, grounds: list[int], applicant_id: str | None):
    load_case(p, me, case_id)
    if not grounds:
        return None
    try:
        return listing_services.listing_bars(p.ctx, case_id, debtor_id, grounds, applicant_id)
    except KeepwordError:
        return None
