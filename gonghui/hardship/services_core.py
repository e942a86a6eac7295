"""The household file (一户一档): every write of the core part goes through here.

Functions take the acting user as ``by``; staff need ``hardship.change`` at the file's union (the
worker may write only their own draft, through registration.apply_online). Refusals are
ValidationError in Chinese; nothing is half-written (each function is one transaction). Every
write is audited.
"""

import datetime
import hashlib
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record, snapshot
from gonghui.core.scope import has_permission
from gonghui.core.validators import clean_id_number
from gonghui.hardship import assessment as rules
from gonghui.hardship import policy
from gonghui.hardship.models import (
    Assessment,
    Cause,
    Exclusion,
    HardshipDocument,
    HardshipFile,
    HardshipNumberSequence,
    HomeVisit,
    HouseholdMember,
    IncomeRow,
    RecordCheck,
    SpendingRow,
)
from gonghui.orgs.models import UnionNode

VIEW, CHANGE, APPROVE, POLICY = "hardship.view", "hardship.change", "hardship.approve", "hardship.policy"
MAX_SECONDARY_CAUSES = 3
A = AuditEntry.Action


# ----- permissions -----

def _is_own(file_or_worker, by) -> bool:
    worker = getattr(file_or_worker, "worker", file_or_worker)
    return by is not None and getattr(by, "is_authenticated", False) and worker.user_id == by.pk


def require(by, permission: str, path: str) -> None:
    if by is None:  # the system (demo data, tasks)
        return
    if not has_permission(by, permission, path):
        raise PermissionDenied


def require_change(file: HardshipFile, by) -> None:
    """Staff with hardship.change in the subtree; the worker only on their own draft."""
    if _is_own(file, by) and file.status == HardshipFile.Status.DRAFT:
        return
    require(by, CHANGE, file.node_path)


def _person(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    import calendar

    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


# ----- the file -----

def active_file_of(worker) -> HardshipFile | None:
    """The worker's draft, pending or registered file (at most one, a database constraint)."""
    return (HardshipFile.objects.unscoped().select_related("union", "assessment")
            .filter(worker=worker, status__in=HardshipFile.ACTIVE).first())


def latest_file_of(worker) -> HardshipFile | None:
    """The active file, else the newest one (exited, rejected…): what the portal shows."""
    return active_file_of(worker) or (HardshipFile.objects.unscoped().select_related("union", "assessment")
                                      .filter(worker=worker).order_by("-created_at", "-id").first())


def next_number(year: int) -> str:
    """KN + year + 6 digits, from a per-year counter (an atomic UPDATE: safe under concurrency)."""
    with transaction.atomic():
        if not HardshipNumberSequence.objects.filter(year=year).update(last=F("last") + 1):
            try:
                with transaction.atomic():
                    HardshipNumberSequence.objects.create(year=year, last=1)
            except IntegrityError:
                HardshipNumberSequence.objects.filter(year=year).update(last=F("last") + 1)
        last = HardshipNumberSequence.objects.get(year=year).last
    return f"KN{year}{last:06d}"


def _other_active_file_with(id_hash: str, exclude_file_id=None):
    qs = (HouseholdMember.objects.unscoped().select_related("file__union")
          .filter(id_number_hash=id_hash, file__status__in=HardshipFile.ACTIVE))
    if exclude_file_id:
        qs = qs.exclude(file_id=exclude_file_id)
    return qs.first()


def _refuse_member_elsewhere(id_hash: str, name: str, exclude_file_id=None) -> None:
    other = _other_active_file_with(id_hash, exclude_file_id)
    if other is not None:
        raise ValidationError(
            {"id_number": [_("%(name)s已列入另一户有效的困难职工档案（%(union)s），同一人不能同时列入两户档案。"
                             "请先核实，如确需调整，请该档案所在工会先移出此人。")
                           % {"name": name, "union": other.file.union.display_name}]})


@transaction.atomic
def create_file(worker, union: UnionNode, *, by, **fields) -> HardshipFile:
    """A draft file for ``worker`` as head, kept by the grassroots ``union``."""
    if not (_is_own(worker, by)):
        require(by, CHANGE, union.path)
    if not union.holds_members or not union.active:
        raise ValidationError({"union": [_("困难职工档案应由职工所在的基层工会建立，请选择基层工会。")]})
    existing = active_file_of(worker)
    if existing is not None:
        raise ValidationError(
            _("%(name)s已有%(status)s的困难职工档案（%(number)s），不能重复建档。")
            % {"name": worker.name, "status": existing.status_label, "number": existing.number})
    head_hash = worker.id_number_hash
    _refuse_member_elsewhere(head_hash, worker.name)
    allowed = {"address", "phone", "housing", "housing_area", "medical_insurance", "bank_name", "note",
               "main_cause", "secondary_causes"}
    unknown = set(fields) - allowed - {"bank_account"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    bank_account = fields.pop("bank_account", "")
    today = timezone.localdate()
    file = HardshipFile(number=next_number(today.year), worker=worker, union=union, household_size=1,
                        phone=worker.mobile, created_by=_person(by), **fields)
    if bank_account:
        file.set_bank_account(bank_account)
    try:
        with transaction.atomic():
            file.save()
    except IntegrityError:
        raise ValidationError(_("%(name)s已有有效的困难职工档案，不能重复建档。") % {"name": worker.name}) from None
    head = HouseholdMember(file=file, name=worker.name, relation=HouseholdMember.Relation.SELF)
    head.id_number_encrypted = worker.id_number_encrypted
    head.id_number_hash = head_hash
    head.id_number_masked = worker.id_number_masked
    head.save()
    record(_person(by), A.CREATE, file, event="hardship.file_created",
           extra={"number": file.number, "worker": worker.pk})
    return file


DETAIL_FIELDS = ("address", "phone", "housing", "housing_area", "medical_insurance", "bank_name", "note",
                 "exclusion_flags")


@transaction.atomic
def update_details(file: HardshipFile, *, by, bank_account: str | None = None, **fields) -> HardshipFile:
    """Address, housing, medical insurance, bank account, exclusions found, note."""
    require_change(file, by)
    unknown = set(fields) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if "exclusion_flags" in fields:
        bad = [code for code in fields["exclusion_flags"] if code not in Exclusion.values]
        if bad:
            raise ValidationError({"exclusion_flags": [_("排除情形不在列表中：%(codes)s") % {"codes": "、".join(bad)}]})
        fields["exclusion_flags"] = sorted(set(fields["exclusion_flags"]))
    area = fields.get("housing_area")
    if area is not None and (area < 0 or area > 10000):
        raise ValidationError({"housing_area": [_("住房面积应在0到10000平方米之间，请核对。")]})
    before = snapshot(file, [*fields, "bank_account_masked"])
    for name, value in fields.items():
        setattr(file, name, value)
    if bank_account is not None:
        cleaned = "".join(bank_account.split())
        if cleaned and (not cleaned.isdigit() or not 8 <= len(cleaned) <= 30):
            raise ValidationError({"bank_account": [_("银行账号应为8到30位数字，请核对。")]})
        file.set_bank_account(cleaned)
    file.save()
    after = snapshot(file, [*fields, "bank_account_masked"])
    record(_person(by), A.CHANGE, file, event="hardship.file_changed", changes={
        k: v for k, v in {k: [before.get(k), after.get(k)] for k in after}.items() if v[0] != v[1]})
    return file


@transaction.atomic
def set_causes(file: HardshipFile, main: str, secondary: list[str], *, by) -> HardshipFile:
    """One main cause and up to three secondary ones, from the national list."""
    require_change(file, by)
    if main not in Cause.values:
        raise ValidationError({"main_cause": [_("请从列表中选择一项主要致困原因。")]})
    secondary = list(dict.fromkeys(code for code in secondary if code))
    if any(code not in Cause.values for code in secondary):
        raise ValidationError({"secondary_causes": [_("次要致困原因请从列表中选择。")]})
    if main in secondary:
        raise ValidationError({"secondary_causes": [_("次要致困原因不能与主要原因重复。")]})
    if len(secondary) > MAX_SECONDARY_CAUSES:
        raise ValidationError({"secondary_causes": [_("次要致困原因最多选择3项。")]})
    before = [file.main_cause, file.secondary_causes]
    file.main_cause, file.secondary_causes = main, secondary
    file.save(update_fields=["main_cause", "secondary_causes", "updated_at"])
    record(_person(by), A.CHANGE, file, event="hardship.causes_changed",
           changes={"causes": [before, [main, secondary]]})
    return file


# ----- household members -----

MEMBER_FIELDS = ("name", "relation", "health", "work_status", "school")


def _sync_size(file: HardshipFile) -> None:
    file.household_size = max(1, HouseholdMember.objects.unscoped().filter(file=file).count())
    file.save(update_fields=["household_size", "updated_at"])


def _check_member_fields(data: dict) -> None:
    if not (data.get("name") or "").strip():
        raise ValidationError({"name": [_("请填写家庭成员的姓名。")]})
    for name, choices in (("relation", HouseholdMember.Relation), ("health", HouseholdMember.Health),
                          ("work_status", HouseholdMember.Work), ("school", HouseholdMember.School)):
        if name in data and data[name] not in choices.values:
            raise ValidationError({name: [_("请从列表中选择。")]})
    if data.get("relation") == HouseholdMember.Relation.SELF:
        raise ValidationError({"relation": [_("户主本人已在成员中，请选择与户主的关系。")]})


@transaction.atomic
def add_member(file: HardshipFile, *, by, id_number: str, **data) -> HouseholdMember:
    require_change(file, by)
    _check_member_fields(data)
    try:
        normalised = clean_id_number(id_number)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from None
    member = HouseholdMember(file=file, **{k: data[k] for k in MEMBER_FIELDS if k in data})
    member.name = member.name.strip()
    member.set_id_number(normalised)
    if HouseholdMember.objects.unscoped().filter(file=file, id_number_hash=member.id_number_hash).exists():
        raise ValidationError({"id_number": [_("此身份证号已在本户家庭成员中。")]})
    _refuse_member_elsewhere(member.id_number_hash, member.name, exclude_file_id=file.pk)
    member.save()
    _sync_size(file)
    record(_person(by), A.CREATE, member, node=file.union, event="hardship.member_added",
           extra={"file": file.pk, "relation": member.relation})
    return member


@transaction.atomic
def update_member(member: HouseholdMember, *, by, **data) -> HouseholdMember:
    file = member.file
    require_change(file, by)
    unknown = set(data) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if member.relation == HouseholdMember.Relation.SELF:
        data.pop("relation", None)
        data.pop("name", None)
    else:
        _check_member_fields({"name": member.name, **data})
    before = snapshot(member, list(data))
    for name, value in data.items():
        setattr(member, name, value.strip() if name == "name" else value)
    member.save()
    record(_person(by), A.CHANGE, member, node=file.union, event="hardship.member_changed",
           changes={k: [before[k], getattr(member, k)] for k in data if before[k] != getattr(member, k)})
    return member


@transaction.atomic
def remove_member(member: HouseholdMember, *, by) -> None:
    file = member.file
    require_change(file, by)
    if member.relation == HouseholdMember.Relation.SELF:
        raise ValidationError(_("户主本人不能从档案中移出。"))
    record(_person(by), A.DELETE, member, node=file.union, event="hardship.member_removed",
           extra={"file": file.pk, "name": member.name})
    member.delete()
    _sync_size(file)


# ----- incomes and rigid spending -----

@transaction.atomic
def add_income(file: HardshipFile, *, by, source: str, annual_amount, member=None, note: str = "") -> IncomeRow:
    require_change(file, by)
    if source not in IncomeRow.Source.values:
        raise ValidationError({"source": [_("请选择收入来源。")]})
    try:
        amount = rules.check_amount(annual_amount, label=_("收入金额"))
    except ValidationError as error:
        raise ValidationError({"annual_amount": error.messages}) from None
    if member is not None and member.file_id != file.pk:
        raise ValidationError({"member": [_("所选成员不属于本户。")]})
    row = IncomeRow.objects.create(file=file, member=member, source=source, annual_amount=amount,
                                   note=note.strip()[:200])
    record(_person(by), A.CREATE, row, node=file.union, event="hardship.income_added",
           extra={"file": file.pk, "source": source, "amount": str(amount)})
    return row


@transaction.atomic
def add_spending(file: HardshipFile, *, by, kind: str, annual_amount, sudden: bool = False,
                 note: str = "") -> SpendingRow:
    require_change(file, by)
    if kind not in SpendingRow.Kind.values:
        raise ValidationError({"kind": [_("请选择支出类别（医疗、残疾、非义务教育就学、住房）。")]})
    try:
        amount = rules.check_amount(annual_amount, label=_("支出金额"))
    except ValidationError as error:
        raise ValidationError({"annual_amount": error.messages}) from None
    row = SpendingRow.objects.create(file=file, kind=kind, annual_amount=amount, sudden=bool(sudden),
                                     note=note.strip()[:200])
    record(_person(by), A.CREATE, row, node=file.union, event="hardship.spending_added",
           extra={"file": file.pk, "kind": kind, "amount": str(amount), "sudden": bool(sudden)})
    return row


@transaction.atomic
def remove_row(row, *, by) -> None:
    """Removes an income or spending row."""
    file = row.file
    require_change(file, by)
    record(_person(by), A.DELETE, row, node=file.union, event="hardship.row_removed",
           extra={"file": file.pk, "model": type(row).__name__, "amount": str(row.annual_amount)})
    row.delete()


# ----- home visit, record checks, documents -----

@transaction.atomic
def record_home_visit(file: HardshipFile, *, by, visited_on: datetime.date, visitors: str, findings: str,
                      refused: bool = False) -> HomeVisit:
    require(by, CHANGE, file.node_path)
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": [_("调查日期不能晚于今天。")]})
    if not visitors.strip():
        raise ValidationError({"visitors": [_("请填写参加入户调查的人员（至少两人）。")]})
    if not findings.strip():
        raise ValidationError({"findings": [_("请填写入户调查看到的情况。")]})
    visit = HomeVisit.objects.create(file=file, visited_on=visited_on, visitors=visitors.strip()[:200],
                                     findings=findings.strip(), refused=bool(refused), recorded_by=_person(by))
    record(_person(by), A.CREATE, visit, node=file.union, event="hardship.home_visit",
           extra={"file": file.pk, "refused": bool(refused)})
    return visit


@transaction.atomic
def record_check(file: HardshipFile, *, by, kind: str, result: str, checked_on: datetime.date,
                 checked_by_name: str, note: str = "") -> RecordCheck:
    require(by, CHANGE, file.node_path)
    if kind not in RecordCheck.Kind.values:
        raise ValidationError({"kind": [_("请选择核对项目（房产、车辆、工商登记）。")]})
    if result not in RecordCheck.Result.values:
        raise ValidationError({"result": [_("请选择核对结果。")]})
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": [_("核对日期不能晚于今天。")]})
    if not checked_by_name.strip():
        raise ValidationError({"checked_by_name": [_("请填写核对人。")]})
    check = RecordCheck.objects.create(file=file, kind=kind, result=result, checked_on=checked_on,
                                       checked_by_name=checked_by_name.strip()[:60], note=note.strip()[:300],
                                       recorded_by=_person(by))
    record(_person(by), A.CREATE, check, node=file.union, event="hardship.record_check",
           extra={"file": file.pk, "kind": kind, "result": result})
    return check


@transaction.atomic
def add_document(file: HardshipFile, upload, kind: str, *, by) -> HardshipDocument:
    """A supporting document, checked by content like the engine's attachments."""
    from gonghui.workflow.services import check_upload

    require_change(file, by)
    if kind not in HardshipDocument.Kind.values:
        raise ValidationError({"kind": [_("请选择材料类别。")]})
    extension, content_type = check_upload(upload)
    document = HardshipDocument(file=file, kind=kind, name=Path(upload.name).name[:200], extension=extension,
                                content_type=content_type, size=len(upload.content),
                                sha256=hashlib.sha256(upload.content).hexdigest(), uploaded_by=_person(by))
    document.upload.save("upload", ContentFile(upload.content), save=False)
    document.save()
    record(_person(by), A.CREATE, document, node=file.union, event="hardship.document_added",
           extra={"file": file.pk, "kind": kind, "sha256": document.sha256, "size": document.size})
    return document


# ----- assessment -----

def figures_of(file: HardshipFile) -> rules.Figures:
    members = list(HouseholdMember.objects.unscoped().filter(file=file))
    incomes = list(IncomeRow.objects.unscoped().filter(file=file))
    spendings = list(SpendingRow.objects.unscoped().filter(file=file))
    by_member: dict[int, list] = {}
    for row in incomes:
        if row.member_id:
            by_member.setdefault(row.member_id, []).append(row.annual_amount)
    spending: dict[str, object] = {}
    for row in spendings:
        spending[row.kind] = spending.get(row.kind, 0) + row.annual_amount
    exclusions = list(file.exclusion_flags)
    if HomeVisit.objects.unscoped().filter(file=file, refused=True).exists():
        exclusions.append(Exclusion.REFUSED_VISIT.value)
    return rules.Figures(
        household_size=max(1, len(members)),
        incomes=[row.annual_amount for row in incomes],
        able_not_working=[sum(by_member.get(m.pk, []), Decimal(0)) for m in members
                          if m.work_status == HouseholdMember.Work.UNEMPLOYED_ABLE],
        spending={k: Decimal(v) for k, v in spending.items()},
        sudden_spending=sum((row.annual_amount for row in spendings if row.sudden), Decimal(0)),
        exclusions=exclusions,
    )


@transaction.atomic
def assess(file: HardshipFile, *, by, on: datetime.date | None = None) -> Assessment:
    """Computes the category under the policy in force on ``on`` at the nearest federation and stores
    it with the version used; the file's category follows (an earlier override is cleared)."""
    require(by, CHANGE, file.node_path)
    on = on or timezone.localdate()
    version = policy.policy_for(file.union, on)
    result = rules.compute(figures_of(file), policy.params_of(version))
    decision = Assessment.objects.create(
        file=file, policy_version=version, policy_label=policy.label_of(version),
        per_capita_monthly_income=result.per_capita_monthly_income, category=result.category,
        excluded_by=result.excluded_by, inputs=result.inputs, assessed_on=on, by=_person(by))
    before = file.category
    file.assessment = decision
    file.category = result.category
    file.category_override_reason = ""
    file.save(update_fields=["assessment", "category", "category_override_reason", "updated_at"])
    record(_person(by), A.CHANGE, file, event="hardship.assessed", changes={"category": [before, result.category]},
           extra={"assessment": decision.pk, "policy": decision.policy_label,
                  "per_capita": str(result.per_capita_monthly_income)})
    return decision


@transaction.atomic
def override_category(file: HardshipFile, category: str, reason: str, *, by) -> HardshipFile:
    """Staff (hardship.approve) set another category than the computed one, with a written reason."""
    require(by, APPROVE, file.node_path)
    if category not in HardshipFile.Category.values:
        raise ValidationError({"category": [_("请选择困难类别。")]})
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": [_("人工调整困难类别必须写明理由（至少5个字），理由将记入审计日志。")]})
    if file.assessment_id is None:
        raise ValidationError(_("请先按政策参数完成一次认定，再人工调整类别。"))
    before = file.category
    file.category = category
    file.category_override_reason = reason
    file.save(update_fields=["category", "category_override_reason", "updated_at"])
    record(_person(by), A.CHANGE, file, event="hardship.category_overridden",
           changes={"category": [before, category]}, extra={"reason": reason})
    return file


# ----- status changes used by the registration workflow -----

def submit(file: HardshipFile, *, by) -> HardshipFile:
    """Draft (or rejected, re-applying) → applying."""
    if file.status not in (HardshipFile.Status.DRAFT,):
        raise ValidationError(_("档案当前状态为“%(status)s”，不能提交建档申请。") % {"status": file.status_label})
    file.status = HardshipFile.Status.APPLYING
    file.save(update_fields=["status", "updated_at"])
    record(_person(by), A.WORKFLOW, file, event="hardship.file_applying")
    return file


@transaction.atomic
def register(file: HardshipFile, *, by) -> HardshipFile:
    """Registered (在档): the district approved; the yearly review falls due a year later."""
    if file.status not in (HardshipFile.Status.APPLYING, HardshipFile.Status.DRAFT):
        raise ValidationError(_("档案当前状态为“%(status)s”，不能建档。") % {"status": file.status_label})
    if file.category not in (HardshipFile.Category.DEEP, HardshipFile.Category.RELATIVE,
                             HardshipFile.Category.ACCIDENT):
        raise ValidationError(_("该户尚未认定为深度困难、相对困难或意外致困，不能建档。请先完成认定。"))
    today = timezone.localdate()
    months = int(policy.param(file.union, "review_every_months", today))
    file.status = HardshipFile.Status.REGISTERED
    file.registered_on = today
    file.next_review_due = add_months(today, months)
    file.save(update_fields=["status", "registered_on", "next_review_due", "updated_at"])
    record(_person(by), A.WORKFLOW, file, event="hardship.file_registered",
           extra={"category": file.category, "next_review_due": file.next_review_due.isoformat()})
    return file


def reject(file: HardshipFile, reason: str, *, by) -> HardshipFile:
    file.status = HardshipFile.Status.REJECTED
    file.save(update_fields=["status", "updated_at"])
    record(_person(by), A.WORKFLOW, file, event="hardship.file_rejected", extra={"reason": reason})
    return file


def withdraw(file: HardshipFile, *, by) -> HardshipFile:
    """The applicant withdrew: the file goes back to draft (it may be completed and submitted again)."""
    file.status = HardshipFile.Status.DRAFT
    file.save(update_fields=["status", "updated_at"])
    record(_person(by), A.WORKFLOW, file, event="hardship.file_withdrawn")
    return file


def reveal_bank_account(file: HardshipFile, *, by) -> str:
    """The full account number (for payment lists), audited as a view of personal data."""
    require(by, CHANGE, file.node_path)
    record(_person(by), A.VIEW_PERSONAL, file, event="hardship.bank_account_revealed")
    return file.full_bank_account()


# ----- policy versions -----

POLICY_LIMITS = {
    "min_living_standard": (Decimal("1"), Decimal("100000")),
    "min_wage": (Decimal("1"), Decimal("100000")),
    "relative_multiple": (Decimal("1"), Decimal("10")),
    "accident_share": (Decimal("0.01"), Decimal("10")),
    "notice_days": (Decimal("1"), Decimal("60")),
    "large_aid_threshold": (Decimal("1"), Decimal("10000000")),
}


@transaction.atomic
def add_policy_version(node: UnionNode, effective_from: datetime.date, params: dict, note: str = "", *, by):
    """A new version of a federation's rules; earlier decisions keep the version they used."""
    from gonghui.hardship.models import PolicyVersion
    from gonghui.hardship.registration import FEDERATION_KINDS

    require(by, POLICY, node.path)
    if node.kind not in FEDERATION_KINDS:
        raise ValidationError({"node": [_("政策参数由市总工会或区（县）总工会制定，请选择总工会。")]})
    cleaned = {}
    for key, value in (params or {}).items():
        if key in POLICY_LIMITS:
            low, high = POLICY_LIMITS[key]
            try:
                number = Decimal(str(value).strip())
            except Exception:  # noqa: BLE001
                raise ValidationError({key: [_("请填写数字。")]}) from None
            if not number.is_finite() or not low <= number <= high:
                raise ValidationError({key: [_("应在%(low)s到%(high)s之间，请核对。") % {"low": low, "high": high}]})
            cleaned[key] = int(number) if key == "notice_days" else str(number)
        elif key in policy.DEFAULTS:
            cleaned[key] = value
        else:
            raise ValidationError({"params": [_("没有名为“%(key)s”的政策参数。") % {"key": key}]})
    if PolicyVersion.objects.unscoped().filter(node=node, effective_from=effective_from).exists():
        raise ValidationError({"effective_from": [_("该单位在这一天已有一个政策参数版本；请换一个生效日期。")]})
    version = PolicyVersion.objects.create(node=node, effective_from=effective_from, params=cleaned,
                                           note=(note or "").strip()[:300], created_by=_person(by))
    record(_person(by), A.CREATE, version, node=node, event="hardship.policy_added",
           extra={"effective_from": effective_from.isoformat(), "params": cleaned})
    return version
