from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.core.scope import get_visible_or_404
from gonghui.orgs.models import UnionNode

router = Router(tags=["orgs"])


class UnionNodeOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    uscc: str
    address: str
    contact_person: str
    contact_phone: str
    parent_id: int | None
    depth: int
    active: bool

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())


@router.get("/", response=list[UnionNodeOut], summary="我可见的工会组织")
@paginate(LimitOffsetPagination)
def list_orgs(request, kind: str | None = None, q: str | None = None):
    qs = UnionNode.objects.visible_to(request.user, "orgs.view")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__contains=q)
    return qs.order_by("path")


@router.get("/{int:org_id}", response=UnionNodeOut, summary="一个工会组织")
def get_org(request, org_id: int):
    return get_visible_or_404(UnionNode, request.user, "orgs.view", pk=org_id)
