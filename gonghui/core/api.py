from django.db import connection
from ninja import Router, Schema

router = Router(tags=["platform"])


class HealthOut(Schema):
    status: str


@router.get("/health", auth=None, response=HealthOut, summary="健康检查（含数据库）")
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok"}
