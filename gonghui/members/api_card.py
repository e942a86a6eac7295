"""The worker's own data and the e-card over the API.

``/api/v1/members/me`` (me_router): the signed-in worker's profile, its correction, the e-card
(token, QR code), the photo, "my services" and "my data". Only the caller's own record is ever read.

``/api/v1/members/cards`` (cards_router): card verification for staff holding members.verify_card
and for partner users, with the same outcomes and messages as the console page.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import BaseModel, ConfigDict

from gonghui.api import ApiError
from gonghui.ledger.api import MappedRows
from gonghui.ledger.services import services_of
from gonghui.members import cardholder, ecard

me_router = Router(tags=["members"])
cards_router = Router(tags=["members"])


# ----- schemas -----

class MembershipOut(Schema):
    id: int
    union_id: int
    union_name: str
    member_number: str
    status: str
    status_label: str
    joined_on: datetime.date


class MeOut(Schema):
    id: int
    name: str
    id_number_masked: str
    gender: str
    birth_date: datetime.date | None
    mobile: str
    ethnicity: str
    education: str
    household_type: str
    migrant_worker: bool
    employer: str
    has_photo: bool
    photo_url: str | None
    membership: MembershipOut | None


class MePatch(BaseModel):
    """The fields a worker may correct; name, ID number and mobile are refused with a reason (a plain
    pydantic model: ninja's Schema would drop the extra keys this endpoint must see to refuse them)."""

    model_config = ConfigDict(extra="allow")

    ethnicity: str | None = None
    education: str | None = None
    household_type: str | None = None
    migrant_worker: bool | None = None
    employer: str | None = None


class CardOut(Schema):
    token: str
    expires_at: datetime.datetime
    refresh_after_seconds: int
    verify_url: str
    qr_svg: str
    name: str
    union_name: str
    member_number: str
    status: str
    status_label: str


class MyServiceOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    delivering_union: str
    member_union: str | None
    amount: Decimal | None
    delivered_on: datetime.date


class VerifyIn(Schema):
    token: str  # the token, or the whole URL from the QR code as a scanner reads it


class VerifiedMemberOut(Schema):
    name: str
    id_number_masked: str
    union_name: str
    member_number: str
    status: str
    status_label: str
    photo_url: str | None


class VerifyOut(Schema):
    outcome: str  # valid, expired, invalid, not_current
    valid: bool
    message: str
    checked_at: datetime.datetime
    member: VerifiedMemberOut | None


# ----- helpers -----

def _me(request):
    worker = cardholder.worker_of(request.user)
    if worker is None:
        raise ApiError(404, "no_worker", _("还没有找到您的职工登记信息。入会或请单位工会为您登记后再试。"))
    return worker


def _membership_out(m) -> dict | None:
    if m is None:
        return None
    return {"id": m.pk, "union_id": m.union_id, "union_name": m.union.name, "member_number": m.member_number,
            "status": m.status, "status_label": m.status_label, "joined_on": m.joined_on}


def _me_out(request, worker) -> dict:
    return {
        "id": worker.pk, "name": worker.name, "id_number_masked": worker.id_number_masked, "gender": worker.gender,
        "birth_date": worker.birth_date, "mobile": request.user.phone or worker.mobile,
        "ethnicity": worker.ethnicity, "education": worker.education, "household_type": worker.household_type,
        "migrant_worker": worker.migrant_worker, "employer": worker.employer, "has_photo": bool(worker.photo),
        "photo_url": request.build_absolute_uri(reverse("api:me_photo")) if worker.photo else None,
        "membership": _membership_out(ecard.current_membership(worker)),
    }


# ----- /members/me -----

@me_router.get("", response=MeOut, summary="我的资料（身份证号脱敏）和当前会籍")
def get_me(request):
    return _me_out(request, _me(request))


@me_router.patch("", response=MeOut, summary="修改我的资料：民族、学历、户籍类型、是否农民工、工作单位")
def patch_me(request, payload: MePatch):
    worker = _me(request)
    extra = set(payload.model_extra or {})
    if extra & set(cardholder.LOCKED_FIELDS):
        raise ApiError(422, "locked_field", cardholder.locked_field_message())
    if extra:
        raise ApiError(422, "unknown_field", _("不能修改这些字段：%(names)s。可以修改的是民族、学历、户籍类型、是否农民工和工作单位。")
                       % {"names": "、".join(sorted(extra))})
    data = payload.model_dump(exclude_unset=True, include=set(cardholder.EDITABLE_FIELDS))
    worker = cardholder.update_profile(worker, data, by=request.user)
    return _me_out(request, worker)


@me_router.get("/card", response=CardOut, summary="我的电子会员卡：有效期内的二维码（SVG）和核验链接")
def get_card(request):
    worker = _me(request)
    membership = ecard.current_membership(worker)
    if membership is None:
        raise ApiError(404, "no_membership", _("您目前没有有效的会籍，暂时没有电子会员卡。请先申请入会。"))
    token = ecard.issue_token(membership)
    url = ecard.verify_url(token.token, request)
    return {"token": token.token, "expires_at": token.expires_at, "refresh_after_seconds": ecard.REFRESH_AFTER,
            "verify_url": url, "qr_svg": ecard.qr_svg(url), "name": worker.name,
            "union_name": membership.union.name, "member_number": membership.member_number,
            "status": membership.status, "status_label": membership.status_label}


@me_router.get("/photo", summary="我的照片（图片）")
def me_photo(request):
    return ecard.photo_response(_me(request))


@me_router.post("/photo", response=MeOut, summary="上传或更换我的照片（JPG、PNG、WebP）")
def upload_photo(request, photo: File[UploadedFile]):
    worker = _me(request)
    ecard.check_photo_size(photo.size)
    worker = ecard.set_photo(worker, photo.name or "", photo.read(), by=request.user)
    return _me_out(request, worker)


@me_router.delete("/photo", response=MeOut, summary="删除我的照片")
def delete_photo(request):
    worker = ecard.remove_photo(_me(request), by=request.user)
    return _me_out(request, worker)


def _my_service(s) -> dict:
    row = cardholder.service_row(s)
    row["amount"] = s.amount
    row["delivered_on"] = s.delivered_on
    return row


@me_router.get("/services", response=list[MyServiceOut], summary="我的服务：工会为我办过的事，最近的在前")
@paginate(LimitOffsetPagination)
def my_services(request):
    return MappedRows(services_of(_me(request)), _my_service)


@me_router.get("/data", summary="下载我的数据（含完整身份证号；每次下载都记入审计日志）")
def my_data(request):
    return cardholder.export_data(_me(request), by=request.user)


# ----- /members/cards -----

@cards_router.post("/verify", response=VerifyOut, summary="核验电子会员卡（工会工作人员、合作商户）")
def verify_card(request, payload: VerifyIn):
    if not ecard.may_verify(request.user):
        raise PermissionDenied
    v = ecard.verify(payload.token, by=request.user)
    member = None
    if v.membership is not None:
        m = v.membership
        member = {"name": m.worker.name, "id_number_masked": m.worker.id_number_masked, "union_name": m.union.name,
                  "member_number": m.member_number, "status": m.status, "status_label": m.status_label,
                  "photo_url": request.build_absolute_uri(reverse("members:card_photo", kwargs={"token": v.token}))
                  if m.worker.photo else None}
    return {"outcome": v.outcome.value, "valid": v.valid, "message": v.message, "checked_at": v.checked_at,
            "member": member}
