"""Every officer action runs the same way: the form, a confirmation of what it will do, the step, then
what followed (the events written and where partners stand with them).

POST /.../act/{key}/confirm only reads; POST /.../act/{key} changes the case and redirects (303) to
the result page, so a reload never repeats a payment. The confirmation carries the case version: if
someone changed the case since, the officer reviews again instead of acting on a stale picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from keepword.domain.errors import KeepwordError, NotFound, ValidationFailed
from keepword.services.access import Principal
from keepword.services.listings import listing_bars
from keepword.store import portal_queries as q
from keepword.web.pages.access import gate, viewer
from keepword.web.pages.actions import ACTIONS, Action, FieldErrors
from keepword.web.pages.labels import ERRORS
from keepword.web.pages.officer import STAFF, load_case, not_found, today_of
from keepword.web.pages.rendering import gettext_for, render, see_other
from keepword.web.pages.timeline import details, expected_partners
from keepword.web.pages.wiring import Portal, portal

router = APIRouter()


@dataclass(frozen=True)
class Target:
    """What an action works on, found from the path, and where its pages lead."""

    case: object
    court: object
    action: Action | None                   # None on a page of what followed, reached without a known action
    base: str                               # the action's path: its form; /edit, /confirm and the step below it
    done: str                               # the page of what followed (it gets ?after=...&action=...)
    back: str                               # the page the action was opened from
    back_title: str | None = None           # the link back to it; None: the case's own page, by its number
    facts: tuple[tuple[str, str], ...] = ()  # (label, value) shown above the form and the confirmation


def case_target(case, court, action: Action | None, base: str) -> Target:
    """An action on a case of the officer's court: it starts from, and leads back to, the case page."""
    return Target(case, court, action, base, done=f"/officer/cases/{case.id}/done", back=f"/officer/cases/{case.id}")


def _values(form) -> dict:
    """The submitted form as plain values (a list where a field repeats, e.g. the ground checkboxes)."""
    out: dict = {}
    for key in form.keys():
        if key in ("csrf_token", "version"):
            continue
        items = form.getlist(key)
        out[key] = items if key == "grounds" else items[-1]
    return out


def _form_page(request, p, target: Target, values=None, errors=None, status_code=200):
    _ = gettext_for(request)
    case, action = target.case, target.action
    fields = action.fields(case, _, today_of(p))
    for f in fields:
        if values is not None and f.name in values:
            f.value = values[f.name]
    bars = None
    if action.key == "propose" and case.debtors:
        debtor = (values or {}).get("debtor_id") or case.debtors[0].party.id
        grounds = [int(g) for g in (values or {}).get("grounds", []) if str(g).isdigit()]
        if grounds:
            try:
                bars = listing_bars(p.ctx, case.id, debtor, grounds, (values or {}).get("applicant_id") or None)
            except KeepwordError:
                bars = None
    return render(request, "officer/action_form.html", {
        **_page(target), "fields": fields, "errors": errors or {}, "bars": bars}, status_code=status_code)


def _page(target: Target) -> dict:
    return {"case": target.case, "court": target.court, "action": target.action, "base": target.base,
            "back": target.back, "back_title": target.back_title, "facts": target.facts}


async def show_form(request: Request, p: Portal, me: Principal, target: Target):
    """The action's form (again, with the values sent back by the confirmation's "Change")."""
    values = _values(await request.form()) if request.method == "POST" else None
    return await run_in_threadpool(_form_page, request, p, target, values)


async def confirm(request: Request, p: Portal, me: Principal, target: Target):
    """Check the form; show what the step will do (nothing is changed yet)."""
    form = await request.form()
    _ = gettext_for(request)
    case, action = target.case, target.action
    try:
        values = action.parse(case, form, _)
    except FieldErrors as exc:
        return await run_in_threadpool(_form_page, request, p, target, _values(form), exc.errors, 422)
    lines = action.describe(case, values, p.ctx.policy, today_of(p), _)
    return render(request, "officer/confirm.html", {**_page(target), "lines": lines, "values": _values(form),
                                                    "version": case.version})


async def perform(request: Request, p: Portal, me: Principal, target: Target):
    """Take the step if the case is still as confirmed; then show what followed."""
    form = await request.form()
    _ = gettext_for(request)
    case, action = target.case, target.action
    try:
        values = action.parse(case, form, _)
        if str(case.version) != form.get("version"):
            raise FieldErrors({"_": _("Someone changed this case after you reviewed the step. Check it again.")})
        after = await run_in_threadpool(_last_seq, p, case.id)
        await run_in_threadpool(action.perform, p, case, values, me)
    except FieldErrors as exc:
        return await run_in_threadpool(_form_page, request, p, target, _values(form), exc.errors, 422)
    except KeepwordError as exc:
        errors = {_field(exc, action, case, _, p): f"{_(ERRORS.get(exc.code, ERRORS['validation_failed']))}: {exc.message}"}
        return await run_in_threadpool(_form_page, request, p, target, _values(form), errors, 422)
    return see_other(f"{target.done}?after={after}&action={action.key}")


#: A preparation finds what an action works on, from the path: (refusal page, None) or (None, target).
Prepare = Callable[..., Awaitable[tuple[Response | None, Target | None]]]


def add_action_routes(router: APIRouter, path: str, prepare: Prepare) -> None:
    """The four routes of an action at ``path``: its form (GET, and POST ``/edit`` from the confirmation),
    ``/confirm`` and the step itself; one handler serves them all, each with its step."""
    for method, suffix, step in (("GET", "", show_form), ("POST", "/edit", show_form), ("POST", "/confirm", confirm),
                                 ("POST", "", perform)):
        router.add_api_route(path + suffix, _handler(prepare, step), methods=[method], include_in_schema=False,
                             name=f"{path}{suffix} {method}")


def _handler(prepare: Prepare, step):
    async def handle(request: Request, p: Portal = Depends(portal), me: Principal = Depends(viewer)):
        refused, target = await prepare(request, p, me, **request.path_params)
        return refused if refused is not None else await step(request, p, me, target)
    return handle


async def _prepare(request: Request, p: Portal, me: Principal, case_id: str, key: str):
    if (denied := gate(request, me, *STAFF)) is not None:
        return denied, None
    action = ACTIONS.get(key)
    try:
        case, court = await run_in_threadpool(load_case, p, me, case_id)
    except NotFound:
        return not_found(request), None
    if action is None or not me.has(*action.roles):
        return refuse(request), None
    return None, case_target(case, court, action, f"/officer/cases/{case_id}/act/{key}")


def refuse(request: Request):
    _ = gettext_for(request)
    return render(request, "error.html", {"title": _("Not for your role"),
                                          "message": _("Your role may not take this step.")}, status_code=403)


add_action_routes(router, "/officer/cases/{case_id}/act/{key}", _prepare)


def _last_seq(p: Portal, case_id: str) -> int:
    with p.session() as session:
        return q.last_event_seq(session, case_id)


def _field(exc: KeepwordError, action, case, _, p) -> str:
    if isinstance(exc, ValidationFailed):
        names = {f.name for f in action.fields(case, _, today_of(p))}
        if exc.field in names:
            return exc.field
    return "_"


@router.get("/officer/cases/{case_id}/done", include_in_schema=False)
def action_done(case_id: str, request: Request, after: int = 0, action: str = "", p: Portal = Depends(portal),
                me: Principal = Depends(viewer)):
    if (denied := gate(request, me, *STAFF)) is not None:
        return denied
    try:
        case, court = load_case(p, me, case_id)
    except NotFound:
        return not_found(request)
    return done_page(request, p, case_target(case, court, ACTIONS.get(action), ""), after)


def done_page(request: Request, p: Portal, target: Target, after: int):
    """What followed a step: the events it wrote, in order, and each partner's delivery and acknowledgement."""
    with p.session() as session:
        events = q.case_events(session, target.case.id, after_seq=after)
        progress = q.partner_progress(session, [e["event_id"] for e in events])
    for event in events:
        event["details"] = details(event)
        event["partners"] = expected_partners(event["type"], progress.get(event["event_id"], []))
    return render(request, "officer/done.html", {**_page(target), "events": events})
