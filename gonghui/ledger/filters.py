"""One filter set over the ledger, used by the console list and the API alike."""

import datetime
from dataclasses import dataclass

from django.utils.dateparse import parse_date

from gonghui.core.scope import subtree_q
from gonghui.ledger.models import ServiceRecord
from gonghui.orgs.models import UnionNode

PERMISSION = "ledger.view"
FILTER_NAMES = ("kind", "union", "start", "end", "q")


def parse_day(value) -> datetime.date | None:
    """A date from a query string; None when empty, malformed or impossible (2026-13-45)."""
    if isinstance(value, datetime.date):
        return value
    try:
        return parse_date(value or "")
    except ValueError:
        return None


@dataclass
class ServiceFilters:
    kind: str = ""
    union: int | None = None  # a union node: its whole subtree (by the worker's union then)
    start: datetime.date | None = None
    end: datetime.date | None = None
    q: str = ""  # part of the worker's name

    @classmethod
    def from_params(cls, params) -> "ServiceFilters":
        union = params.get("union", "")
        return cls(kind=(params.get("kind") or "").strip(),
                   union=int(union) if str(union).isdigit() else None,
                   start=parse_day(params.get("start")), end=parse_day(params.get("end")),
                   q=(params.get("q") or "").strip())


def visible_services(user):
    """The ledger rows in the subtrees where ``user`` holds ledger.view."""
    return ServiceRecord.objects.visible_to(user, PERMISSION)


def apply(qs, filters: ServiceFilters, *, user):
    """``qs`` (already scoped) narrowed by ``filters``; a union outside the user's scope matches nothing."""
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.union is not None:
        node = UnionNode.objects.visible_to(user, PERMISSION).filter(pk=filters.union).only("path").first()
        qs = qs.filter(subtree_q("node_path", node.path)) if node else qs.none()
    if filters.start:
        qs = qs.filter(delivered_on__gte=filters.start)
    if filters.end:
        qs = qs.filter(delivered_on__lte=filters.end)
    if filters.q:
        qs = qs.filter(worker__name__contains=filters.q)
    return qs.select_related("worker", "delivering_union", "member_union").order_by("-delivered_on", "-id")
