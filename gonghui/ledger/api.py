"""The service ledger over the API: ``/api/v1/services/`` (list) and ``/api/v1/services/{id}``.

Staff read the rows in the subtrees where they hold ``ledger.view``; a worker reads their own
services at ``/api/v1/members/me/services``.
"""

import datetime
from decimal import Decimal

from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.core.scope import get_visible_or_404
from gonghui.ledger import filters, kinds
from gonghui.ledger.models import ServiceRecord

router = Router(tags=["services"])


class ServiceOut(Schema):
    id: int
    worker_id: int
    worker_name: str
    kind: str
    kind_label: str
    app: str
    title: str
    delivering_union_id: int
    delivering_union_name: str
    member_union_id: int | None
    member_union_name: str | None
    amount: Decimal | None
    delivered_on: datetime.date
    created_at: datetime.datetime


def service_out(row: ServiceRecord) -> dict:
    return {
        "id": row.pk, "worker_id": row.worker_id, "worker_name": row.worker.name, "kind": row.kind,
        "kind_label": kinds.label(row.kind), "app": row.app, "title": row.title,
        "delivering_union_id": row.delivering_union_id, "delivering_union_name": row.delivering_union.name,
        "member_union_id": row.member_union_id,
        "member_union_name": row.member_union.name if row.member_union_id else None,
        "amount": row.amount, "delivered_on": row.delivered_on, "created_at": row.created_at,
    }


class MappedRows:
    """A lazily sliced queryset whose rows come out as API dicts (the paginator slices it)."""

    def __init__(self, qs, mapper=service_out):
        self.qs, self.mapper = qs, mapper

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [self.mapper(row) for row in self.qs[item]]


@router.get("/", response=list[ServiceOut], summary="服务台账（管辖范围内），可按类别、日期、工会筛选")
@paginate(LimitOffsetPagination)
def list_services(request, kind: str = "", union: int | None = None, start: datetime.date | None = None,
                  end: datetime.date | None = None, q: str = ""):
    chosen = filters.ServiceFilters(kind=kind.strip(), union=union, start=start, end=end, q=q.strip())
    qs = filters.apply(filters.visible_services(request.user), chosen, user=request.user)
    return MappedRows(qs)


@router.get("/{int:service_id}", response=ServiceOut, summary="一条服务记录")
def get_service(request, service_id: int):
    row = get_visible_or_404(ServiceRecord.objects.select_related("worker", "delivering_union", "member_union"),
                             request.user, filters.PERMISSION, pk=service_id)
    return service_out(row)
