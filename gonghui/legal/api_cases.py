"""The cases part's API under /api/v1/legal/."""

from ninja import Router

router = Router()
