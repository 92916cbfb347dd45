"""The supervisor's dashboard: enforcement statistics for the courts under them, as charts and tables."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from keepword.services.access import SUPERVISOR, Principal
from keepword.store import portal_queries as q
from keepword.web.pages.access import gate, staff_courts, viewer
from keepword.web.pages.dashboard import dashboard
from keepword.web.pages.rendering import gettext_for, render
from keepword.web.pages.wiring import Portal, portal

router = APIRouter()


@router.get("/supervisor", include_in_schema=False)
def supervisor_dashboard(request: Request, p: Portal = Depends(portal), me: Principal = Depends(viewer)):
    if (denied := gate(request, me, SUPERVISOR)) is not None:
        return denied
    courts = staff_courts(me)
    today = p.ctx.clock.now().astimezone(p.ctx.policy.zone).date()
    with p.session() as session:
        court_rows = q.courts(session, courts)
    return render(request, "supervisor/dashboard.html",
                  {**dashboard(p, courts, today, gettext_for(request)), "courts": court_rows, "today": today})
