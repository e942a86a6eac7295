"""The API at /api/v1/enrolments/…"""

from ninja import Router

router = Router(tags=["enrolments"])
