"""The worker's own data (我的): their profile, what they may correct themselves, their history and
services, and "download my data".

Every function here acts for the signed-in worker on their own record only (``by`` must be the
account linked to the Worker); staff edit members through the console's services instead.
Name and ID number are real-name verified (实名核验) and cannot be changed here; the mobile
number is the account's sign-in number.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.ledger.kinds import label as kind_label
from gonghui.ledger.services import services_of
from gonghui.members.ecard import current_membership
from gonghui.members.models import (
    ETHNICITIES,
    Education,
    HouseholdType,
    JoinApplication,
    Membership,
    MembershipChange,
    Transfer,
    Worker,
)

# The 56 ethnic groups as the resident ID card writes them (GB 3304), then the two other entries
# of the standard.
EDITABLE_FIELDS = ("ethnicity", "education", "household_type", "migrant_worker", "employer")
# Fields a worker may not change online, with the reason the API gives.
LOCKED_FIELDS = ("name", "id_number", "gender", "birth_date", "mobile", "photo")


def worker_of(user) -> Worker | None:
    """The signed-in account's own person record, if the union has registered one."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Worker.objects.unscoped().filter(user=user).first()


def require_self(worker: Worker, by) -> None:
    if by is None or worker.user_id is None or worker.user_id != getattr(by, "pk", None):
        raise PermissionDenied


def locked_field_message() -> str:
    return _("姓名、身份证号已经实名核验，不能在线修改；手机号是您的登录账号。如有错误，请联系所在工会更正。")


def clean_profile(data: dict) -> dict:
    """The editable fields of ``data``, checked; ValidationError (per field, in Chinese) otherwise."""
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    if "ethnicity" in data:
        value = (data["ethnicity"] or "").strip()
        if value and value not in ETHNICITIES:
            errors["ethnicity"] = [_("请从列表中选择民族，例如“汉族”。")]
        cleaned["ethnicity"] = value
    if "education" in data:
        value = data["education"] or ""
        if value and value not in Education.values:
            errors["education"] = [_("请从列表中选择学历。")]
        cleaned["education"] = value
    if "household_type" in data:
        value = data["household_type"] or ""
        if value and value not in HouseholdType.values:
            errors["household_type"] = [_("户籍类型请选择“城镇”或“农村”。")]
        cleaned["household_type"] = value
    if "migrant_worker" in data:
        if not isinstance(data["migrant_worker"], bool):
            errors["migrant_worker"] = [_("请选择是否为农民工。")]
        cleaned["migrant_worker"] = bool(data["migrant_worker"])
    if "employer" in data:
        value = " ".join((data["employer"] or "").split())
        if len(value) > 200:
            errors["employer"] = [_("工作单位名称不能超过200个字，请填写单位全称或常用简称。")]
        cleaned["employer"] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def update_profile(worker: Worker, data: dict, *, by) -> Worker:
    """The worker corrects their own 民族, 学历, 户籍类型, 农民工 and 工作单位; audited with the changes."""
    require_self(worker, by)
    cleaned = clean_profile(data)
    worker = Worker.objects.unscoped().select_for_update().get(pk=worker.pk)
    changes = {name: [getattr(worker, name), value] for name, value in cleaned.items()
               if getattr(worker, name) != value}
    if not changes:
        return worker
    for name, (_old, value) in changes.items():
        setattr(worker, name, value)
    worker.save(update_fields=[*changes, "updated_at"])
    membership = current_membership(worker)
    record(by, AuditEntry.Action.CHANGE, worker, node=membership.union if membership else None,
           event="worker.profile_updated_by_self", changes=changes)
    return worker


def memberships_of(worker: Worker) -> list[Membership]:
    """All the worker's memberships, newest first, each with its changes (oldest first)."""
    return list(Membership.objects.unscoped().select_related("union").filter(worker=worker)
                .prefetch_related(Prefetch("changes", queryset=MembershipChange.objects.unscoped()
                                           .select_related("from_union", "to_union")))
                .order_by("-joined_on", "-pk"))


def join_applications_of(worker: Worker) -> list[JoinApplication]:
    return list(JoinApplication.objects.unscoped().select_related("case", "applied_to")
                .filter(worker=worker).order_by("-created_at"))


def transfers_of(worker: Worker) -> list[Transfer]:
    return list(Transfer.objects.unscoped().select_related("case", "from_union", "to_union")
                .filter(membership__worker=worker).order_by("-created_at"))


def _day(value) -> str | None:
    return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else None


def case_state_label(case) -> str:
    """The worker's plain label of a case's state (its code if the case type is no longer declared)."""
    try:
        return str(case.applicant_state_label)
    except (KeyError, LookupError):
        return case.state


def _case(case) -> dict:
    return {"number": case.number, "state": case.state, "state_label": case_state_label(case),
            "submitted_at": _day(case.created_at), "closed_at": _day(case.closed_at)}


def export_data(worker: Worker, *, by) -> dict:
    """Everything the register holds about the worker, for them to download (PIPL: a person may
    obtain a copy of their data). It contains the full ID number, so the download is audited."""
    require_self(worker, by)
    membership = current_membership(worker)
    record(by, AuditEntry.Action.VIEW_PERSONAL, worker, node=membership.union if membership else None,
           event="worker.data_exported")
    user = worker.user
    return {
        "format": "gonghui.my-data/1",
        "exported_at": timezone.localtime().isoformat(),
        "profile": {
            "name": worker.name, "id_number": worker.full_id_number(), "gender": worker.gender,
            "gender_label": worker.get_gender_display(), "birth_date": _day(worker.birth_date),
            "ethnicity": worker.ethnicity, "education": worker.education,
            "education_label": worker.get_education_display(), "household_type": worker.household_type,
            "household_type_label": worker.get_household_type_display(), "migrant_worker": worker.migrant_worker,
            "employer": worker.employer, "mobile": worker.mobile, "has_photo": bool(worker.photo),
            "registered_at": _day(worker.created_at), "updated_at": _day(worker.updated_at),
        },
        "account": {"phone": user.phone if user else None, "date_joined": _day(user.date_joined) if user else None},
        "memberships": [{
            "union": m.union.name, "member_number": m.member_number, "status": m.status,
            "status_label": m.status_label, "joined_on": _day(m.joined_on),
            "status_changed_on": _day(m.status_changed_on), "status_reason": m.status_reason,
            "changes": [{"kind": c.kind, "kind_label": c.kind_label, "on": _day(c.on), "reason": c.reason,
                         "from_union": c.from_union.name if c.from_union_id else None,
                         "to_union": c.to_union.name if c.to_union_id else None} for c in m.changes.all()],
        } for m in memberships_of(worker)],
        "join_applications": [{
            **_case(a.case), "applied_to": a.applied_to.name, "employer": a.employer,
            "employer_has_union": a.employer_has_union,
        } for a in join_applications_of(worker)],
        "transfers": [{
            **_case(t.case), "from_union": t.from_union.name, "to_union": t.to_union.name, "reason": t.reason,
        } for t in transfers_of(worker)],
        "services": [service_row(s) for s in services_of(worker)],
    }


def service_row(s) -> dict:
    return {"id": s.pk, "kind": s.kind, "kind_label": kind_label(s.kind), "title": s.title,
            "delivering_union": s.delivering_union.name,
            "member_union": s.member_union.name if s.member_union_id else None,
            "amount": str(s.amount) if s.amount is not None else None, "delivered_on": _day(s.delivered_on)}
