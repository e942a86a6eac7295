"""The caller's own notifications. Not union-scoped: every query filters by ``request.user``."""

from datetime import datetime

from ninja import Field, Router, Schema

from gonghui.api import ApiError
from gonghui.notifications import services

router = Router(tags=["notifications"])

MAX_LIMIT = 100


class NotificationOut(Schema):
    id: int
    template_key: str
    subject: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None
    unread: bool

    @staticmethod
    def resolve_unread(obj):
        return obj.read_at is None


class NotificationPage(Schema):
    count: int
    unread_count: int
    items: list[NotificationOut]


class ReadIn(Schema):
    ids: list[int] = Field(default_factory=list, description="要标为已读的消息编号")
    all: bool = Field(False, description="为 true 时把全部消息标为已读")


class ReadOut(Schema):
    marked: int
    unread_count: int


@router.get("/", response=NotificationPage, summary="我的站内消息（最新在前）")
def list_notifications(request, limit: int = 20, offset: int = 0, unread: bool = False):
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    qs = services.inbox(request.user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return {
        "count": qs.count(),
        "unread_count": services.unread_count(request.user),
        "items": list(qs[offset:offset + limit]),
    }


@router.post("/read", response=ReadOut, summary="把消息标为已读（指定编号或全部）")
def read_notifications(request, payload: ReadIn):
    if payload.all:
        marked = services.mark_all_read(request.user)
    elif payload.ids:
        marked = services.mark_read(request.user, payload.ids)
    else:
        from django.utils.translation import gettext as _

        raise ApiError(400, "bad_request", _("请提供要标为已读的消息编号，或设置 all 为 true。"))
    return {"marked": marked, "unread_count": services.unread_count(request.user)}
