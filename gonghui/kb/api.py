"""The kb API at /api/v1/kb/…: search and articles here, questions in api_questions."""

from ninja import Router

from gonghui.kb.api_questions import router as questions_router

router = Router(tags=["kb"])
router.add_router("/questions", questions_router)
