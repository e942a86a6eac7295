"""The API at /api/v1/courses/…"""

from ninja import Router

router = Router(tags=["courses"])
