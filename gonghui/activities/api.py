"""The API at /api/v1/activities/…"""

from ninja import Router

router = Router(tags=["activities"])
