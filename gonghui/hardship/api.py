"""The hardship API at /api/v1/hardship/…, one router per part of the app."""

from ninja import Router

from gonghui.hardship.api_aid import router as aid_router
from gonghui.hardship.api_campaigns import router as campaigns_router
from gonghui.hardship.api_core import router as core_router
from gonghui.hardship.api_review import router as review_router

router = Router(tags=["hardship"])
router.add_router("", core_router)
router.add_router("", aid_router)
router.add_router("", campaigns_router)
router.add_router("", review_router)
