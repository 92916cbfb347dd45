"""The portal: server-rendered pages for court staff, the public and debtors (Chinese and English).

``router`` carries every page; create_app includes it. Pages answer HTML and check access
themselves (a sign-in redirect rather than problem details); PAGE_ACCESS lists who may open each.
"""

from __future__ import annotations

from fastapi import APIRouter

from keepword.web.pages import (appeals, debtor, debtor_appeal, officer, officer_actions, officer_evidence, public,
                                staff, supervisor)
from keepword.web.pages.access import PAGE_ACCESS, is_page_route

router = APIRouter(include_in_schema=False)
for _module in (public, staff, debtor, debtor_appeal, officer, officer_actions, officer_evidence, appeals, supervisor):
    router.include_router(_module.router)

__all__ = ["router", "PAGE_ACCESS", "is_page_route"]
