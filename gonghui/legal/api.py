"""The legal-aid API at /api/v1/legal/…, one router per part of the app."""

from ninja import Router

from gonghui.legal.api_cases import router as cases_router
from gonghui.legal.api_intake import router as intake_router
from gonghui.legal.api_reports import router as reports_router

router = Router(tags=["legal"])
router.add_router("", intake_router)
router.add_router("", cases_router)
router.add_router("", reports_router)
