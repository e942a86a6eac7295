"""Members over the API: ``/api/v1/members/`` (list, register) and ``/api/v1/members/{id}`` (one membership).

The id is a membership's (as on the console's record page). Lists use the same filters, sorting and
query plan as the page (members.records_listing); ID numbers are masked except through the audited
``reveal-id``. Transfer steps after the start go through ``/api/v1/cases/{id}/transitions/…``.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Query, Router, Schema, Status

from gonghui.core.scope import get_visible_or_404, has_permission
from gonghui.members import exporting, services, transfers
from gonghui.members import records_listing as listing
from gonghui.members.models import Membership, MembershipChange, Transfer
from gonghui.orgs.models import UnionNode

router = Router(tags=["members"])

MAX_LIMIT = 100


class MemberOut(Schema):
    id: int
    worker_id: int
    name: str
    gender: str
    birth_date: datetime.date | None
    id_number_masked: str
    mobile: str
    ethnicity: str
    education: str
    household_type: str
    migrant_worker: bool
    employer: str
    union_id: int
    union_name: str
    member_number: str
    joined_on: datetime.date
    status: str
    status_label: str
    status_changed_on: datetime.date | None
    status_reason: str


class ChangeOut(Schema):
    membership_id: int
    kind: str
    kind_label: str
    on: datetime.date
    reason: str
    from_union_id: int | None
    to_union_id: int | None


class MemberDetailOut(MemberOut):
    history: list[ChangeOut]


class MemberPage(Schema):
    count: int
    # True when there are more rows than ``count`` (totals are counted up to a cap at city scale).
    count_capped: bool
    items: list[MemberOut]


class MemberFilters(Schema):
    q: str = ""
    status: str = ""
    union: int | None = None
    migrant: str = ""
    household: str = ""
    gender: str = ""
    education: str = ""
    sort: str = ""
    limit: int = 20
    offset: int = 0


class MemberIn(Schema):
    name: str
    id_number: str
    union_id: int
    mobile: str = ""
    gender: str = ""
    birth_date: datetime.date | None = None
    ethnicity: str = ""
    education: str = ""
    household_type: str = ""
    migrant_worker: bool = False
    employer: str = ""
    joined_on: datetime.date | None = None


class MemberPatch(Schema):
    name: str | None = None
    mobile: str | None = None
    ethnicity: str | None = None
    education: str | None = None
    household_type: str | None = None
    migrant_worker: bool | None = None
    employer: str | None = None
    joined_on: datetime.date | None = None
    id_number: str | None = None


class StatusIn(Schema):
    kind: str  # retire, leave, death, restore
    on: datetime.date | None = None
    reason: str = ""


class TransferIn(Schema):
    to_union_id: int
    reason: str


class TransferOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    worker_name: str
    membership_id: int
    from_union_id: int
    from_union_name: str
    to_union_id: int
    to_union_name: str
    reason: str
    new_membership_id: int | None
    version: int
    created_at: datetime.datetime
    due_at: datetime.datetime | None


class RevealOut(Schema):
    id_number: str


def _out(m: Membership) -> dict:
    w = m.worker
    return {
        "id": m.pk, "worker_id": w.pk, "name": w.name, "gender": w.gender, "birth_date": w.birth_date,
        "id_number_masked": w.id_number_masked, "mobile": w.mobile, "ethnicity": w.ethnicity,
        "education": w.education, "household_type": w.household_type, "migrant_worker": w.migrant_worker,
        "employer": w.employer, "union_id": m.union_id, "union_name": m.union.name,
        "member_number": m.member_number, "joined_on": m.joined_on, "status": m.status,
        "status_label": m.status_label, "status_changed_on": m.status_changed_on, "status_reason": m.status_reason,
    }


def _detail(m: Membership) -> dict:
    data = _out(m)
    data["history"] = [
        {"membership_id": c.membership_id, "kind": c.kind, "kind_label": c.kind_label, "on": c.on,
         "reason": c.reason, "from_union_id": c.from_union_id, "to_union_id": c.to_union_id}
        for c in MembershipChange.objects.unscoped().filter(membership=m).order_by("on", "pk")
    ]
    return data


def _transfer_out(t) -> dict:
    case = t.case
    return {
        "id": t.pk, "number": case.number, "state": case.state, "state_label": case.state_label,
        "worker_name": t.membership.worker.name, "membership_id": t.membership_id,
        "from_union_id": t.from_union_id, "from_union_name": t.from_union.name, "to_union_id": t.to_union_id,
        "to_union_name": t.to_union.name, "reason": t.reason, "new_membership_id": t.new_membership_id,
        "version": case.version, "created_at": case.created_at, "due_at": case.due_at,
    }


def _staff(request, permission: str = "members.view"):
    if getattr(request.user, "is_worker", False) or not has_permission(request.user, permission):
        raise PermissionDenied


def _membership(request, member_id: int) -> Membership:
    return get_visible_or_404(Membership.objects.select_related("worker", "union"), request.user, "members.view",
                              pk=member_id)


@router.get("/", response=MemberPage, summary="会员列表（筛选、排序与页面相同；q 可为姓名、拼音、首字母、手机号、身份证号或会员号）")
def list_members(request, filters: Query[MemberFilters]):
    _staff(request)
    params = filters.dict()
    chosen = listing.plan(request.user, "members.view", params)
    limit = max(1, min(filters.limit, MAX_LIMIT))
    offset = max(0, filters.offset)
    cap = chosen.count_cap
    rows = listing.IdPage(chosen.queryset)
    if chosen.count_in_order:
        n = len(rows.ids_up_to(cap + 1))
    else:
        n = chosen.count_queryset.order_by()[: cap + 1].count()
    items = [_out(m) for m in rows[offset:offset + limit]]
    return {"count": min(n, cap), "count_capped": n > cap, "items": items}


@router.post("/", response={201: MemberDetailOut}, summary="登记会员（登记职工并加入基层工会；会员号自动分配）")
def register_member(request, payload: MemberIn):
    _staff(request, "members.change")
    union = get_visible_or_404(UnionNode, request.user, "members.change", pk=payload.union_id)
    data = payload.dict()
    data.pop("union_id")
    joined_on = data.pop("joined_on")
    membership = services.register_and_enrol(union=union, joined_on=joined_on, by=request.user, **data)
    return Status(201, _detail(Membership.objects.unscoped().select_related("worker", "union").get(pk=membership.pk)))


@router.get("/transfers", response=list[TransferOut], summary="转会记录（转出或转入我管辖范围的）")
def list_transfers(request, state: str = "", limit: int = 50, offset: int = 0):
    _staff(request)
    qs = transfers.transfers_visible_to(request.user).select_related(
        "case", "membership__worker", "from_union", "to_union")
    if state == "open":
        qs = qs.filter(case__is_open=True)
    elif state:
        qs = qs.filter(case__state=state)
    limit = max(1, min(limit, MAX_LIMIT))
    return [_transfer_out(t) for t in qs.order_by("-pk")[max(0, offset):max(0, offset) + limit]]


@router.get("/export", summary="导出筛选结果（format=xlsx|csv，encoding=gbk 为旧版 Excel 用的 GBK 编码）")
def export_members(request, filters: Query[MemberFilters], format: str = "xlsx", encoding: str = ""):
    _staff(request, exporting.PERMISSION)
    params = filters.dict()
    params.update(format=format, encoding=encoding)
    return exporting.export_response(request.user, params)


@router.get("/{int:member_id}", response=MemberDetailOut, summary="一位会员（会籍）及其会籍变更")
def get_member(request, member_id: int):
    return _detail(_membership(request, member_id))


@router.patch("/{int:member_id}", response=MemberDetailOut, summary="修改会员信息")
def update_member(request, member_id: int, payload: MemberPatch):
    m = _membership(request, member_id)
    if not has_permission(request.user, "members.change", m.node_path):
        raise PermissionDenied
    data = payload.dict(exclude_unset=True)
    joined_on = data.pop("joined_on", None)
    id_number = data.pop("id_number", None)
    fields = {k: ("" if v is None and k != "migrant_worker" else v) for k, v in data.items()
              if not (k == "migrant_worker" and v is None)}
    services.update_worker(m.worker, by=request.user, node=m.union, id_number=id_number or None, **fields)
    if joined_on is not None:
        services.update_membership(m, joined_on=joined_on, by=request.user)
    return _detail(Membership.objects.unscoped().select_related("worker", "union").get(pk=m.pk))


@router.post("/{int:member_id}/reveal-id", response=RevealOut, summary="查看完整身份证号（须有权限，记入审计日志）")
def reveal_id(request, member_id: int):
    m = _membership(request, member_id)
    return {"id_number": services.reveal_id_number(m.worker, by=request.user, node=m.union)}


@router.post("/{int:member_id}/status", response=MemberDetailOut,
             summary="变更会籍状态（retire 退休保留会籍、leave 退会、death 去世、restore 恢复在册）")
def change_status(request, member_id: int, payload: StatusIn):
    m = _membership(request, member_id)
    services.change_status(m, payload.kind, on=payload.on, reason=payload.reason, by=request.user)
    return _detail(Membership.objects.unscoped().select_related("worker", "union").get(pk=m.pk))


@router.post("/{int:member_id}/transfer", response={201: TransferOut},
             summary="发起转会（原工会同意转出、新工会接收：/api/v1/cases/{id}/transitions/…）")
def start_transfer(request, member_id: int, payload: TransferIn):
    m = _membership(request, member_id)
    if not has_permission(request.user, transfers.PERMISSION, m.node_path):
        raise PermissionDenied
    target = UnionNode.objects.unscoped().filter(pk=payload.to_union_id).first()
    if target is None:
        raise Http404
    t = transfers.start_transfer(m, target, reason=payload.reason, by=request.user)
    t = Transfer.objects.unscoped().select_related(
        "case", "membership__worker", "from_union", "to_union").get(pk=t.pk)
    return Status(201, _transfer_out(t))
