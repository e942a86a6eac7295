"""Rules and writes of the legal app's cases part.

- the roster: law firms and lawyers of a legal-aid centre (capacity, declared conflicts);
- ``on_assign`` / ``on_close``: the hooks the "legal_aid" case type calls inside the engine's
  transaction for its "assign" and "close" transitions (a ValidationError refuses the step);
- stages with their time limits and hearings, the one-year arbitration limitation;
- progress notes and documents (the assigned lawyer may add them), the closing report, the outcome
  and amounts, recoveries (one ledger row per worker), the applicant's rating.

Every write takes the acting user as ``by`` and writes an audit entry.
"""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core.scope import has_permission
from gonghui.core.validators import clean_mobile, clean_uscc
from gonghui.legal import access
from gonghui.legal.models_cases import (
    Assignment,
    ClaimLimitation,
    ClosingReport,
    Hearing,
    LawFirm,
    Lawyer,
    Recovery,
    Stage,
    StageKind,
)
from gonghui.legal.models_intake import LegalCase, LegalDocument, Matter, Outcome
from gonghui.notifications import services as notifications
from gonghui.workflow.declarations import Field
from gonghui.workflow.models import CaseAttachment, CaseEvent

VIEW, CHANGE, DECIDE = "legal.view", "legal.change", "legal.decide"
KIND_RECOVERED = "legal.recovered"
MAX_MONEY = Decimal("9999999999.99")

# ---------------------------------------------------------------- the transitions' fields
# The engine validates these; on_assign / on_close apply the rules.
ASSIGN_FIELDS = (
    Field("lawyer", gettext_lazy("承办律师"), kind="integer", required=True,
          help_text=gettext_lazy("在“指派律师”页的律师名册中选择（名册显示每位律师的在办案件数、上限和申报的利益冲突）。")),
    Field("note", gettext_lazy("委派说明"), kind="textarea"),
)
CLOSE_FIELDS = (
    Field("outcome", gettext_lazy("结案方式"), kind="choice", choices=tuple(Outcome.choices),
          help_text=gettext_lazy("不填时沿用律师提交结案报告时选择的结案方式。")),
    Field("amount_awarded", gettext_lazy("裁判/调解确定金额（元）"),
          help_text=gettext_lazy("不能为负数，也不能超过申请时请求的金额。")),
    Field("workers_covered", gettext_lazy("受益职工人数"), kind="integer"),
    Field("report", gettext_lazy("结案报告"), kind="textarea",
          help_text=gettext_lazy("不填时沿用律师提交的结案报告。结案前须已上传结案文书（调解书、裁决书或判决书）。")),
)

# Default time limits of a stage from its start, in days (调解15日; 仲裁45日; 一审简易3个月/普通6个月;
# 二审3个月; 执行6个月). The lawyer may type the real deadline instead.
STAGE_DAYS = {
    StageKind.MEDIATION: 15,
    StageKind.ARBITRATION: 45,
    StageKind.FIRST_INSTANCE: 180,
    StageKind.SECOND_INSTANCE: 90,
    StageKind.ENFORCEMENT: 180,
}
STAGE_ORDER = [k.value for k in StageKind]
# Warn this many days before the arbitration limitation runs out.
LIMITATION_WARN_DAYS = 60
# Closing outcomes that do not need money or workers covered.
NO_MONEY_OUTCOMES = (Outcome.WITHDRAWN, Outcome.LOST)


def _today() -> datetime.date:
    return timezone.localdate()


def _node_of(legal_case: LegalCase):
    return legal_case.case.node


# ---------------------------------------------------------------- money

def parse_amount(value, *, label: str, field: str) -> Decimal:
    """A non-negative amount of yuan with at most two decimals; ValidationError in Chinese."""
    if value in (None, ""):
        return Decimal("0")
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("%(label)s应为金额数字，例如 12000 或 12000.50。") % {"label": label}]}) \
            from None
    if not amount.is_finite():
        raise ValidationError({field: [_("%(label)s应为金额数字，例如 12000 或 12000.50。") % {"label": label}]})
    if amount < 0:
        raise ValidationError({field: [_("%(label)s不能为负数，请填写实际金额。") % {"label": label}]})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: [_("%(label)s最多保留两位小数（到分）。") % {"label": label}]})
    if amount > MAX_MONEY:
        raise ValidationError({field: [_("%(label)s过大，请核对。") % {"label": label}]})
    return amount


def _check_not_over_claimed(amount: Decimal, legal_case: LegalCase, *, label: str, field: str) -> None:
    claimed = legal_case.amount_claimed or Decimal("0")
    if amount > claimed:
        raise ValidationError({field: [
            _("%(label)s ¥%(amount)s 超过申请时请求的金额 ¥%(claimed)s，请核对后重新填写。")
            % {"label": label, "amount": f"{amount:,.2f}", "claimed": f"{claimed:,.2f}"}]})


# ---------------------------------------------------------------- the roster

def roster_for(node_path: str):
    """Lawyers who may take a case owned at ``node_path``: on the roster of that centre or of a
    centre above it, active, with their open-case counts (``open_count``)."""
    prefixes = [node_path[:i] for i in range(4, len(node_path) + 1, 4)]
    return (Lawyer.objects.unscoped().filter(active=True, node_path__in=prefixes)
            .select_related("firm", "user").order_by("name", "id"))


def open_counts(lawyer_ids) -> dict[int, int]:
    """Open (in progress) cases each lawyer holds an active assignment of."""
    rows = (Assignment.objects.unscoped()
            .filter(lawyer_id__in=list(lawyer_ids), active=True, legal_case__case__is_open=True)
            .values("lawyer_id").annotate(n=Count("id")))
    return {row["lawyer_id"]: row["n"] for row in rows}


@dataclass
class RosterRow:
    lawyer: Lawyer
    open_count: int
    full: bool
    conflict: bool
    matter_fits: bool

    @property
    def available(self) -> bool:
        return not self.full and not self.conflict


def roster_rows(legal_case: LegalCase) -> list[RosterRow]:
    lawyers = list(roster_for(legal_case.node_path))
    counts = open_counts(lawyer.pk for lawyer in lawyers)
    rows = []
    for lawyer in lawyers:
        n = counts.get(lawyer.pk, 0)
        rows.append(RosterRow(
            lawyer=lawyer, open_count=n, full=n >= lawyer.capacity,
            conflict=has_conflict(lawyer, legal_case),
            matter_fits=not lawyer.matters or legal_case.matter in lawyer.matters))
    rows.sort(key=lambda r: (not r.available, not r.matter_fits, r.open_count, r.lawyer.name))
    return rows


def has_conflict(lawyer: Lawyer, legal_case: LegalCase) -> bool:
    uscc = (legal_case.opponent_uscc or "").strip().upper()
    if uscc and uscc in {str(u).strip().upper() for u in (lawyer.conflict_usccs or [])}:
        return True
    name = (legal_case.opponent_name or "").strip()
    return bool(name) and name in {str(u).strip() for u in (lawyer.conflict_usccs or [])}


def _clean_conflicts(raw) -> list[str]:
    """The declared conflicts: one USCC per line (or comma); each must be a valid code."""
    if isinstance(raw, (list, tuple)):
        items = [str(x) for x in raw]
    else:
        items = str(raw or "").replace("，", ",").replace(",", "\n").splitlines()
    cleaned = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        try:
            code = clean_uscc(item)
        except ValidationError as error:
            raise ValidationError({"conflict_usccs": [
                _("利益冲突单位“%(code)s”：%(error)s") % {"code": item, "error": error.messages[0]}]}) from None
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def _clean_matters(raw) -> list[str]:
    valid = {m.value for m in Matter}
    matters = [m for m in (raw or []) if m]
    bad = [m for m in matters if m not in valid]
    if bad:
        raise ValidationError({"matters": [_("擅长事项的选项不正确，请从列表中选择。")]})
    return list(dict.fromkeys(matters))


def _require_roster_right(by, node) -> None:
    if not has_permission(by, DECIDE, node.path):
        raise PermissionDenied(_("只有法律援助中心的审批人可以维护律师名册。"))


@transaction.atomic
def save_firm(*, by, node, firm: LawFirm | None = None, name: str, uscc: str = "", address: str = "",
              contact: str = "", phone: str = "", active: bool = True) -> LawFirm:
    _require_roster_right(by, node)
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写律师事务所名称。")]
    if uscc:
        try:
            uscc = clean_uscc(uscc)
        except ValidationError as error:
            errors["uscc"] = error.messages
    if errors:
        raise ValidationError(errors)
    creating = firm is None
    firm = firm or LawFirm(node=node)
    before = {f: getattr(firm, f) for f in ("name", "uscc", "address", "contact", "phone", "active")}
    firm.name, firm.uscc, firm.address, firm.contact, firm.phone, firm.active = (
        name, uscc, address.strip(), contact.strip(), phone.strip(), active)
    firm.save()
    changes = {f: [before[f], getattr(firm, f)] for f in before if before[f] != getattr(firm, f)}
    record(by, AuditEntry.Action.CREATE if creating else AuditEntry.Action.CHANGE, firm, node=firm.node,
           event="legal.firm_saved", changes=changes)
    return firm


@transaction.atomic
def save_lawyer(*, by, node, lawyer: Lawyer | None = None, name: str, firm: LawFirm | None = None,
                licence_no: str = "", phone: str = "", matters=(), capacity: int = 5, conflict_usccs="",
                conflicts_note: str = "", active: bool = True, user=None) -> Lawyer:
    """Add a lawyer to ``node``'s roster or change one. ``user`` (a partner account) lets them sign in."""
    _require_roster_right(by, node)
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写律师姓名。")]
    licence_no = (licence_no or "").strip()
    if licence_no and (len(licence_no) != 17 or not licence_no.isdigit()):
        errors["licence_no"] = [_("律师执业证号应为17位数字，请核对。")]
    if phone:
        try:
            phone = clean_mobile(phone)
        except ValidationError as error:
            errors["phone"] = error.messages
    try:
        capacity = int(capacity)
        if not 1 <= capacity <= 100:
            raise ValueError
    except (TypeError, ValueError):
        errors["capacity"] = [_("同时承办上限应为1到100之间的整数。")]
    if firm is not None and firm.node_id != node.pk:
        errors["firm"] = [_("请选择本中心名册上的律师事务所。")]
    if user is not None and user.kind != "partner":
        errors["user"] = [_("律师的登录账号须为合作方账号。")]
    try:
        matters = _clean_matters(matters)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        conflicts = _clean_conflicts(conflict_usccs)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    creating = lawyer is None
    lawyer = lawyer or Lawyer(node=node)
    fields = ("name", "firm_id", "licence_no", "phone", "matters", "capacity", "conflict_usccs",
              "conflicts_note", "active", "user_id")
    before = {f: getattr(lawyer, f) for f in fields}
    lawyer.name, lawyer.firm, lawyer.licence_no, lawyer.phone = name, firm, licence_no, phone
    lawyer.matters, lawyer.capacity, lawyer.conflict_usccs = matters, capacity, conflicts
    lawyer.conflicts_note, lawyer.active = (conflicts_note or "").strip(), active
    if user is not None:
        lawyer.user = user
    lawyer.save()
    changes = {f: [before[f], getattr(lawyer, f)] for f in fields if before[f] != getattr(lawyer, f)}
    record(by, AuditEntry.Action.CREATE if creating else AuditEntry.Action.CHANGE, lawyer, node=lawyer.node,
           event="legal.lawyer_saved", changes=changes)
    return lawyer


# ---------------------------------------------------------------- assignment

def letter_prefix(node) -> str:
    """江工法援委 for a centre under 江海市总工会: the federation's first character."""
    federation = node.parent or node
    return f"{(federation.short_name or federation.name or '工')[:1]}工法援委"


def _next_seq(year: int) -> int:
    last = (Assignment.objects.unscoped().filter(year=year).order_by("-seq")
            .values_list("seq", flat=True).first()) or 0
    return last + 1


def _issue_number(legal_case: LegalCase, lawyer: Lawyer, *, by, note: str, on: datetime.date) -> Assignment:
    """A new assignment with the next letter number of the year (江工法援委〔2026〕第0001号).

    Two centres assigning at once may pick the same number: the unique constraint refuses the
    second inside a savepoint and it takes the next one."""
    prefix = letter_prefix(_node_of(legal_case))
    for _attempt in range(10):
        seq = _next_seq(on.year)
        assignment = Assignment(legal_case=legal_case, lawyer=lawyer, year=on.year, seq=seq,
                                number=f"{prefix}〔{on.year}〕第{seq:04d}号", issued_on=on,
                                issued_by=by if getattr(by, "is_authenticated", False) else None,
                                note=note or "")
        try:
            with transaction.atomic():
                assignment.save()
            return assignment
        except IntegrityError:
            continue
    raise ValidationError(_("委派函编号分配冲突，请稍后再试。"))


def _check_lawyer_for(lawyer: Lawyer | None, legal_case: LegalCase) -> Lawyer:
    if lawyer is None or not lawyer.active or not legal_case.node_path.startswith(lawyer.node_path):
        raise ValidationError({"lawyer": [_("请从本中心的律师名册中选择一位合作中的律师。")]})
    if has_conflict(lawyer, legal_case):
        raise ValidationError({"lawyer": [
            _("%(name)s已申报与“%(opponent)s”存在利益冲突，不能承办本案，请另选律师。")
            % {"name": lawyer.name, "opponent": legal_case.opponent_name}]})
    held = open_counts([lawyer.pk]).get(lawyer.pk, 0)
    # The case being (re)assigned is still open; it does not count against its new lawyer.
    held -= Assignment.objects.unscoped().filter(lawyer=lawyer, active=True, legal_case=legal_case).count()
    if held >= lawyer.capacity:
        raise ValidationError({"lawyer": [
            _("%(name)s已承办%(held)s件未结案件，达到同时承办上限%(capacity)s件，请另选律师或先调整其承办上限。")
            % {"name": lawyer.name, "held": held, "capacity": lawyer.capacity}]})
    return lawyer


def _lock_case(case_or_pk) -> LegalCase:
    pk = getattr(case_or_pk, "pk", case_or_pk)
    return (LegalCase.objects.unscoped().select_for_update(of=("self",))
            .select_related("case", "case__node").get(pk=pk))


def _give_to(legal_case: LegalCase, lawyer: Lawyer, *, by, note: str) -> Assignment:
    # Lock the lawyer: two cases given to the same lawyer at once cannot both pass the capacity check.
    lawyer = Lawyer.objects.unscoped().select_for_update().filter(pk=lawyer.pk).first()
    _check_lawyer_for(lawyer, legal_case)
    today = _today()
    previous = list(Assignment.objects.unscoped().filter(legal_case=legal_case, active=True))
    for old in previous:
        old.active, old.ended_on, old.end_reason = False, today, _("改派")
        old.save(update_fields=["active", "ended_on", "end_reason"])
    assignment = _issue_number(legal_case, lawyer, by=by, note=note, on=today)
    legal_case.lawyer = lawyer
    legal_case.save(update_fields=["lawyer"])
    record(by, AuditEntry.Action.WORKFLOW, assignment, node=_node_of(legal_case), event="legal.assigned",
           changes={"lawyer": [previous[0].lawyer_id if previous else None, lawyer.pk]},
           extra={"number": assignment.number, "case": legal_case.pk})
    if lawyer.user_id:
        notifications.notify(lawyer.user, "legal.assigned",
                             {"number": legal_case.case.number, "letter": assignment.number,
                              "opponent": legal_case.opponent_name, "centre": _node_of(legal_case).name},
                             link=legal_case.get_absolute_url())
    return assignment


def on_assign(case, data: dict, by) -> Assignment:
    """The "assign" transition's hook (inside the engine's transaction): give the case to the
    chosen lawyer, checking the roster, their capacity and declared conflicts; issue the letter."""
    legal_case = _lock_case(case)
    lawyer = Lawyer.objects.unscoped().filter(pk=data.get("lawyer")).first()
    return _give_to(legal_case, lawyer, by=by, note=data.get("note") or "")


@transaction.atomic
def reassign(legal_case: LegalCase, lawyer: Lawyer, *, by, reason: str) -> Assignment:
    """改派: a case in progress goes to another lawyer (the old assignment ends with the reason)."""
    legal_case = _lock_case(legal_case)
    if not has_permission(by, DECIDE, legal_case.node_path):
        raise PermissionDenied(_("只有法律援助中心的审批人可以改派律师。"))
    if legal_case.case.state != "in_progress":
        raise ValidationError(_("只有办理中的案件可以改派律师。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写改派原因。")]})
    if legal_case.lawyer_id == lawyer.pk:
        raise ValidationError({"lawyer": [_("该律师已在承办本案，请选择另一位律师。")]})
    assignment = _give_to(legal_case, lawyer, by=by, note=reason)
    _timeline(legal_case, by, _("改派律师：%(name)s（%(number)s），原因：%(reason)s")
              % {"name": lawyer.name, "number": assignment.number, "reason": reason}, internal=True)
    return assignment


def active_assignment(legal_case: LegalCase) -> Assignment | None:
    return (Assignment.objects.unscoped().select_related("lawyer", "lawyer__firm", "issued_by")
            .filter(legal_case=legal_case, active=True).first())


# ---------------------------------------------------------------- who may write

def _require_change(legal_case: LegalCase, by) -> None:
    if not access.may_change(by, legal_case):
        raise PermissionDenied(_("只有承办律师或法律援助中心的经办人可以办理本案。"))


def _require_in_progress(legal_case: LegalCase) -> None:
    if legal_case.case.state != "in_progress":
        raise ValidationError(_("案件不在办理中（当前状态：%(state)s），不能再登记办理情况。")
                              % {"state": legal_case.case.state_label})


def _person(by):
    return by if getattr(by, "is_authenticated", False) else None


def _timeline(legal_case: LegalCase, by, text: str, *, internal: bool = False, data=None) -> CaseEvent:
    person = _person(by)
    return CaseEvent.objects.create(case=legal_case.case, actor=person, actor_name=str(person) if person else "",
                                    kind=CaseEvent.Kind.COMMENT, text=text, data=data or {},
                                    visible_to_applicant=not internal)


# ---------------------------------------------------------------- stages and hearings

def default_deadline(kind: str, started_on: datetime.date) -> datetime.date:
    return started_on + datetime.timedelta(days=STAGE_DAYS[StageKind(kind)])


def _clean_date(value, *, field: str, label: str, required: bool = True) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field: [_("请填写%(label)s。") % {"label": label}]})
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: [_("%(label)s的格式应为 2026-03-15。") % {"label": label}]}) from None


@transaction.atomic
def add_stage(legal_case: LegalCase, *, by, kind: str, started_on, deadline=None, body: str = "",
              docket_no: str = "", note: str = "") -> Stage:
    legal_case = _lock_case(legal_case)
    _require_change(legal_case, by)
    _require_in_progress(legal_case)
    if kind not in STAGE_ORDER:
        raise ValidationError({"kind": [_("请选择阶段：协商/调解、劳动仲裁、一审、二审或执行。")]})
    started_on = _clean_date(started_on, field="started_on", label=_("开始日期"))
    deadline = _clean_date(deadline, field="deadline", label=_("办理期限"), required=False)
    errors = {}
    if started_on > _today():
        errors["started_on"] = [_("开始日期不能晚于今天。")]
    if started_on < legal_case.submitted_on:
        errors["started_on"] = [_("开始日期不能早于申请日期（%(d)s）。") % {"d": legal_case.submitted_on}]
    if deadline and deadline < started_on:
        errors["deadline"] = [_("办理期限不能早于开始日期。")]
    if errors:
        raise ValidationError(errors)
    stages = list(Stage.objects.unscoped().filter(legal_case=legal_case))
    open_stage = next((s for s in stages if s.ended_on is None), None)
    if open_stage is not None:
        raise ValidationError(_("“%(stage)s”阶段尚未结束：请先填写它的结束日期和结果，再开始新的阶段。")
                              % {"stage": open_stage.kind_label})
    if kind == StageKind.SECOND_INSTANCE and not any(s.kind == StageKind.FIRST_INSTANCE for s in stages):
        raise ValidationError({"kind": [_("二审须在一审之后：请先登记一审阶段。")]})
    stage = Stage.objects.create(
        legal_case=legal_case, kind=kind, started_on=started_on,
        deadline=deadline or default_deadline(kind, started_on), body=(body or "").strip()[:200],
        docket_no=(docket_no or "").strip()[:60], note=(note or "").strip(), created_by=_person(by))
    legal_case.stage = kind
    legal_case.save(update_fields=["stage"])
    _timeline(legal_case, by, _("进入%(stage)s阶段（%(body)s），办理期限%(deadline)s。")
              % {"stage": stage.kind_label, "body": stage.body or _("机构未填"), "deadline": stage.deadline},
              data={"stage": stage.pk})
    record(by, AuditEntry.Action.CREATE, stage, node=_node_of(legal_case), event="legal.stage_added",
           extra={"case": legal_case.pk, "kind": kind})
    return stage


@transaction.atomic
def end_stage(stage: Stage, *, by, ended_on, result: str) -> Stage:
    legal_case = _lock_case(stage.legal_case_id)
    _require_change(legal_case, by)
    _require_in_progress(legal_case)
    stage = Stage.objects.unscoped().get(pk=stage.pk)
    if stage.ended_on is not None:
        raise ValidationError(_("该阶段已于%(d)s结束。") % {"d": stage.ended_on})
    ended_on = _clean_date(ended_on, field="ended_on", label=_("结束日期"))
    result = (result or "").strip()
    errors = {}
    if ended_on < stage.started_on:
        errors["ended_on"] = [_("结束日期不能早于开始日期（%(d)s）。") % {"d": stage.started_on}]
    if ended_on > _today():
        errors["ended_on"] = [_("结束日期不能晚于今天。")]
    if not result:
        errors["result"] = [_("请填写本阶段的结果，例如“达成调解协议”“裁决支持全部请求”。")]
    if errors:
        raise ValidationError(errors)
    stage.ended_on, stage.result = ended_on, result[:500]
    stage.save(update_fields=["ended_on", "result"])
    _timeline(legal_case, by, _("%(stage)s阶段结束：%(result)s") % {"stage": stage.kind_label, "result": stage.result},
              data={"stage": stage.pk})
    record(by, AuditEntry.Action.CHANGE, stage, node=_node_of(legal_case), event="legal.stage_ended",
           changes={"ended_on": [None, str(ended_on)]})
    return stage


@transaction.atomic
def add_hearing(stage: Stage, *, by, held_on, place: str = "", record_text: str) -> Hearing:
    legal_case = _lock_case(stage.legal_case_id)
    _require_change(legal_case, by)
    _require_in_progress(legal_case)
    held_on = _clean_date(held_on, field="held_on", label=_("日期"))
    record_text = (record_text or "").strip()
    errors = {}
    if held_on < stage.started_on:
        errors["held_on"] = [_("日期不能早于本阶段的开始日期（%(d)s）。") % {"d": stage.started_on}]
    if not record_text:
        errors["record"] = [_("请填写庭审或调解的记录摘要。")]
    elif len(record_text) > 10000:
        errors["record"] = [_("记录最多10000字。")]
    if errors:
        raise ValidationError(errors)
    hearing = Hearing.objects.create(stage=stage, held_on=held_on, place=(place or "").strip()[:200],
                                     record=record_text, created_by=_person(by))
    _timeline(legal_case, by, _("%(stage)s：%(date)s %(place)s 开庭/调解") %
              {"stage": stage.kind_label, "date": held_on, "place": hearing.place}, internal=True,
              data={"hearing": hearing.pk})
    record(by, AuditEntry.Action.CREATE, hearing, node=_node_of(legal_case), event="legal.hearing_added",
           extra={"case": legal_case.pk})
    return hearing


@dataclass
class DeadlineWarning:
    level: str  # "danger" (passed) or "warn" (soon)
    text: str


def stage_warnings(legal_case: LegalCase, stages, today=None) -> list[DeadlineWarning]:
    today = today or _today()
    warnings = []
    for stage in stages:
        if stage.ended_on is None and stage.deadline:
            days = (stage.deadline - today).days
            if days < 0:
                warnings.append(DeadlineWarning("danger", _("%(stage)s阶段已超过办理期限%(d)s天（期限%(deadline)s）。")
                                                % {"stage": stage.kind_label, "d": -days, "deadline": stage.deadline}))
            elif days <= 7:
                warnings.append(DeadlineWarning("warn", _("%(stage)s阶段将在%(d)s天后到期（%(deadline)s）。")
                                                % {"stage": stage.kind_label, "d": days, "deadline": stage.deadline}))
    return warnings


# ---------------------------------------------------------------- the arbitration limitation

@dataclass
class LimitationStatus:
    ends_on: datetime.date | None  # None: the limitation does not run (wages during employment)
    days_left: int | None
    level: str  # "ok", "warn", "danger", "info", "done"
    text: str


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def limitation_ends(matter: str, infringed_on: datetime.date, employment_ended_on: datetime.date | None):
    """The last day to apply for labour arbitration (劳动争议调解仲裁法第二十七条): one year from the
    day the worker knew or should have known of the infringement; for unpaid wages during
    employment the year does not run until the employment ends, then one year from its end."""
    if matter == Matter.WAGES:
        if employment_ended_on is None:
            return None
        return add_years(max(employment_ended_on, infringed_on), 1)
    return add_years(infringed_on, 1)


def limitation_status(legal_case: LegalCase, limitation: ClaimLimitation | None, stages, today=None):
    today = today or _today()
    if limitation is None:
        return LimitationStatus(None, None, "info", _("尚未登记权利被侵害的日期，无法计算一年仲裁时效，请尽快登记。"))
    if any(s.kind != StageKind.MEDIATION for s in stages):
        return LimitationStatus(limitation_ends(legal_case.matter, limitation.infringed_on,
                                                limitation.employment_ended_on), None, "done",
                                _("已申请仲裁或进入诉讼程序，仲裁时效不再提醒。"))
    ends = limitation_ends(legal_case.matter, limitation.infringed_on, limitation.employment_ended_on)
    if ends is None:
        return LimitationStatus(None, None, "ok", _("劳动关系存续期间因拖欠劳动报酬发生的争议，申请仲裁不受一年时效限制；"
                                                    "劳动关系终止的，应自终止之日起一年内申请。"))
    days = (ends - today).days
    if days < 0:
        return LimitationStatus(ends, days, "danger", _("一年仲裁时效已于%(ends)s届满（%(d)s天前）。请核实是否存在时效中断或中止的事由。")
                                % {"ends": ends, "d": -days})
    if days <= LIMITATION_WARN_DAYS:
        return LimitationStatus(ends, days, "warn", _("一年仲裁时效将于%(ends)s届满，仅剩%(d)s天，请尽快申请劳动仲裁。")
                                % {"ends": ends, "d": days})
    return LimitationStatus(ends, days, "ok", _("一年仲裁时效至%(ends)s届满，还有%(d)s天。") % {"ends": ends, "d": days})


@transaction.atomic
def set_limitation(legal_case: LegalCase, *, by, infringed_on, employment_ended_on=None, note: str = ""):
    legal_case = _lock_case(legal_case)
    _require_change(legal_case, by)
    if not legal_case.case.is_open:
        raise ValidationError(_("案件已办结，不能再修改时效信息。"))
    infringed_on = _clean_date(infringed_on, field="infringed_on", label=_("知道或应当知道权利被侵害之日"))
    employment_ended_on = _clean_date(employment_ended_on, field="employment_ended_on",
                                      label=_("劳动关系终止日期"), required=False)
    errors = {}
    if infringed_on > _today():
        errors["infringed_on"] = [_("权利被侵害之日不能晚于今天。")]
    if employment_ended_on and employment_ended_on > _today():
        errors["employment_ended_on"] = [_("劳动关系终止日期不能晚于今天；尚未终止的请留空。")]
    if errors:
        raise ValidationError(errors)
    limitation, created = ClaimLimitation.objects.unscoped().update_or_create(
        legal_case=legal_case, defaults={"infringed_on": infringed_on, "employment_ended_on": employment_ended_on,
                                         "note": (note or "").strip()[:300], "set_by": _person(by)})
    record(by, AuditEntry.Action.CREATE if created else AuditEntry.Action.CHANGE, limitation,
           node=_node_of(legal_case), event="legal.limitation_set",
           changes={"infringed_on": [None, str(infringed_on)]})
    return limitation


# ---------------------------------------------------------------- notes and documents

@transaction.atomic
def add_progress(legal_case: LegalCase, *, by, text: str, internal: bool = False) -> CaseEvent:
    """A progress note (办理进展) on the case's timeline; the applicant reads it unless internal."""
    legal_case = _lock_case(legal_case)
    _require_change(legal_case, by)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("请填写办理进展。")]})
    if len(text) > 5000:
        raise ValidationError({"text": [_("办理进展最多5000字。")]})
    event = _timeline(legal_case, by, text, internal=internal, data={"progress": True})
    record(by, AuditEntry.Action.CREATE, legal_case.case, node=_node_of(legal_case), event="legal.progress_added",
           extra={"internal": internal})
    if not internal and legal_case.case.applicant_id:
        notifications.notify(legal_case.case.applicant, "legal.progress",
                             {"number": legal_case.case.number, "text": text[:60]},
                             link=f"/cases/{legal_case.pk}/")
    return event


@dataclass
class Upload:
    name: str
    content: bytes


@transaction.atomic
def add_document(legal_case: LegalCase, *, by, kind: str, upload: Upload, stage: Stage | None = None,
                 internal: bool = False) -> LegalDocument:
    """A document of the case, added by the assigned lawyer or the centre. The file is checked by
    content like every workflow attachment (workflow.services.check_upload)."""
    from gonghui.workflow.services import check_upload

    legal_case = _lock_case(legal_case)
    _require_change(legal_case, by)
    if kind not in LegalDocument.Kind.values:
        raise ValidationError({"kind": [_("请选择材料类别。")]})
    if stage is not None and stage.legal_case_id != legal_case.pk:
        raise ValidationError({"stage": [_("请选择本案的阶段。")]})
    extension, content_type = check_upload(upload)
    attachment = CaseAttachment(case=legal_case.case, name=Path(upload.name).name[:200], extension=extension,
                                content_type=content_type, size=len(upload.content),
                                sha256=hashlib.sha256(upload.content).hexdigest(), uploaded_by=_person(by),
                                visible_to_applicant=not internal)
    attachment.file.save("upload", ContentFile(upload.content), save=False)
    attachment.save()
    document = LegalDocument.objects.create(legal_case=legal_case, kind=kind, attachment=attachment, stage=stage,
                                            uploaded_by=_person(by))
    CaseEvent.objects.create(case=legal_case.case, actor=_person(by), actor_name=str(_person(by) or ""),
                             kind=CaseEvent.Kind.ATTACHMENT, text=f"{document.kind_label}：{attachment.name}",
                             visible_to_applicant=not internal, data={"attachment": attachment.pk})
    record(by, AuditEntry.Action.CREATE, document, node=_node_of(legal_case), event="legal.document_added",
           extra={"case": legal_case.pk, "kind": kind, "size": attachment.size, "sha256": attachment.sha256})
    return document


def final_documents(legal_case: LegalCase):
    return LegalDocument.objects.unscoped().filter(legal_case=legal_case, kind=LegalDocument.Kind.FINAL_DOCUMENT)


# ---------------------------------------------------------------- outcome, recoveries, closing

def recovered_total(legal_case: LegalCase) -> Decimal:
    return (Recovery.objects.unscoped().filter(legal_case=legal_case).aggregate(s=Sum("amount"))["s"]
            or Decimal("0"))


@transaction.atomic
def add_recovery(legal_case: LegalCase, *, by, name: str = "", amount, recovered_on, worker=None,
                 note: str = "") -> Recovery:
    """Money actually paid to one worker. The total may not exceed the amount claimed; a worker on
    the register gets one ledger row (kind legal.recovered) for it."""
    from gonghui.ledger.services import record_service

    legal_case = _lock_case(legal_case)
    _require_change(legal_case, by)
    _require_in_progress(legal_case)
    amount = parse_amount(amount, label=_("追回金额"), field="amount")
    if amount <= 0:
        raise ValidationError({"amount": [_("追回金额应大于0。")]})
    recovered_on = _clean_date(recovered_on, field="recovered_on", label=_("到账日期"))
    errors = {}
    if recovered_on > _today():
        errors["recovered_on"] = [_("到账日期不能晚于今天。")]
    if recovered_on < legal_case.submitted_on:
        errors["recovered_on"] = [_("到账日期不能早于申请日期（%(d)s）。") % {"d": legal_case.submitted_on}]
    name = (name or (worker.name if worker else "")).strip()
    if not name:
        errors["name"] = [_("请填写收款职工的姓名。")]
    if errors:
        raise ValidationError(errors)
    total = recovered_total(legal_case) + amount
    claimed = legal_case.amount_claimed or Decimal("0")
    if total > claimed:
        raise ValidationError({"amount": [
            _("追回金额合计 ¥%(total)s 将超过申请时请求的金额 ¥%(claimed)s，请核对本笔金额（已登记 ¥%(before)s）。")
            % {"total": f"{total:,.2f}", "claimed": f"{claimed:,.2f}", "before": f"{total - amount:,.2f}"}]})
    recovery = Recovery.objects.create(legal_case=legal_case, worker=worker, name=name[:60], amount=amount,
                                       recovered_on=recovered_on, note=(note or "").strip()[:200],
                                       created_by=_person(by))
    legal_case.amount_recovered = total
    workers = Recovery.objects.unscoped().filter(legal_case=legal_case).values("name").distinct().count()
    legal_case.workers_covered = max(legal_case.workers_covered, workers)
    legal_case.save(update_fields=["amount_recovered", "workers_covered"])
    if worker is not None:
        record_service(worker=worker, kind=KIND_RECOVERED, app="legal", source=recovery,
                       title=_("法律援助追回欠款（%(number)s）") % {"number": legal_case.case.number},
                       delivering_union=_node_of(legal_case), amount=amount, delivered_on=recovered_on, by=by)
    _timeline(legal_case, by, _("登记追回款项：%(name)s ¥%(amount)s（%(date)s到账）")
              % {"name": name, "amount": f"{amount:,.2f}", "date": recovered_on}, data={"recovery": recovery.pk})
    record(by, AuditEntry.Action.CREATE, recovery, node=_node_of(legal_case), event="legal.recovered",
           extra={"case": legal_case.pk, "amount": str(amount), "worker": worker.pk if worker else None})
    return recovery


def _clean_outcome_fields(legal_case: LegalCase, *, outcome, amount_awarded, workers_covered):
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": [_("请选择结案方式：调解/和解结案、仲裁裁决、判决、撤回/撤诉或败诉。")]})
    amount = parse_amount(amount_awarded, label=_("裁判/调解确定金额"), field="amount_awarded")
    _check_not_over_claimed(amount, legal_case, label=_("裁判/调解确定金额"), field="amount_awarded")
    if workers_covered in (None, ""):
        workers = legal_case.workers_covered or (0 if outcome in NO_MONEY_OUTCOMES else legal_case.workers_involved)
    else:
        try:
            workers = int(workers_covered)
        except (TypeError, ValueError):
            raise ValidationError({"workers_covered": [_("受益职工人数应为整数。")]}) from None
        if workers < 0:
            raise ValidationError({"workers_covered": [_("受益职工人数不能为负数。")]})
        if workers > legal_case.workers_involved:
            raise ValidationError({"workers_covered": [
                _("受益职工人数不能超过申请时的涉及职工人数（%(n)s人）。") % {"n": legal_case.workers_involved}]})
    return amount, workers


def _check_final_document(legal_case: LegalCase, document_id=None) -> LegalDocument:
    documents = final_documents(legal_case)
    if document_id:
        documents = documents.filter(pk=document_id)
    document = documents.order_by("-uploaded_at", "-id").first()
    if document is None:
        raise ValidationError({"final_document": [
            _("结案须附结案文书：请先在“案件材料”中上传调解书、裁决书或判决书（类别选“结案文书”），再结案。")]})
    return document


@transaction.atomic
def submit_closing_report(legal_case: LegalCase, *, by, outcome: str, text: str, amount_awarded="",
                          workers_covered=None) -> ClosingReport:
    """The lawyer's closing report (结案报告) with the outcome; the final document must already be
    among the case's documents. The centre then closes the case ("close" transition)."""
    legal_case = _lock_case(legal_case)
    _require_change(legal_case, by)
    _require_in_progress(legal_case)
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = [_("请填写结案报告：办理经过、结果和追回情况。")]
    elif len(text) > 10000:
        errors["text"] = [_("结案报告最多10000字。")]
    try:
        amount, workers = _clean_outcome_fields(legal_case, outcome=outcome, amount_awarded=amount_awarded,
                                                workers_covered=workers_covered)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    document = _check_final_document(legal_case)
    report, created = ClosingReport.objects.unscoped().update_or_create(
        legal_case=legal_case, defaults={"text": text, "final_document": document, "submitted_by": _person(by)})
    before = legal_case.outcome
    legal_case.outcome, legal_case.amount_awarded, legal_case.workers_covered = outcome, amount, workers
    legal_case.save(update_fields=["outcome", "amount_awarded", "workers_covered"])
    _timeline(legal_case, by, _("承办律师提交结案报告，结案方式：%(outcome)s。") % {"outcome": legal_case.outcome_label})
    record(by, AuditEntry.Action.CREATE if created else AuditEntry.Action.CHANGE, report, node=_node_of(legal_case),
           event="legal.closing_report", changes={"outcome": [before, outcome]})
    return report


def on_close(case, data: dict, by) -> LegalCase:
    """The "close" transition's hook: needs a closing report (typed now or submitted by the lawyer)
    and the final document among the case's documents; writes the outcome and closing date."""
    legal_case = _lock_case(case)
    report = ClosingReport.objects.unscoped().filter(legal_case=legal_case).first()
    text = (data.get("report") or "").strip() or (report.text if report else "")
    outcome = data.get("outcome") or legal_case.outcome
    errors = {}
    if not text:
        errors["report"] = [_("结案须有结案报告：请填写结案报告，或等承办律师提交后再结案。")]
    if not outcome:
        errors["outcome"] = [_("请选择结案方式。")]
    if errors:
        raise ValidationError(errors)
    amount_awarded = data.get("amount_awarded")
    if amount_awarded in (None, ""):
        amount_awarded = legal_case.amount_awarded
    workers = data.get("workers_covered")
    amount, workers = _clean_outcome_fields(legal_case, outcome=outcome, amount_awarded=amount_awarded,
                                            workers_covered=workers)
    document = _check_final_document(legal_case)
    today = _today()
    ClosingReport.objects.unscoped().update_or_create(
        legal_case=legal_case, defaults={"text": text, "final_document": document,
                                         "submitted_by": report.submitted_by if report and text == report.text
                                         else _person(by)})
    Stage.objects.unscoped().filter(legal_case=legal_case, ended_on__isnull=True).update(ended_on=today)
    legal_case.outcome, legal_case.amount_awarded, legal_case.workers_covered = outcome, amount, workers
    legal_case.amount_recovered = recovered_total(legal_case)
    legal_case.closed_on = today
    legal_case.save(update_fields=["outcome", "amount_awarded", "workers_covered", "amount_recovered", "closed_on"])
    record(by, AuditEntry.Action.WORKFLOW, legal_case, node=_node_of(legal_case), event="legal.closed",
           changes={"outcome": [None, outcome], "amount_awarded": [None, str(amount)]})
    return legal_case


# ---------------------------------------------------------------- the applicant's rating

@transaction.atomic
def rate(legal_case: LegalCase, *, by, rating, comment: str = "") -> LegalCase:
    """The applicant rates the service once the outcome is known (1 to 5 stars), once."""
    legal_case = _lock_case(legal_case)
    if not access.is_applicant(by, legal_case):
        raise PermissionDenied(_("只有申请人本人可以评价。"))
    if not (legal_case.case.state == "closed" or legal_case.outcome):
        raise ValidationError(_("案件有了结果后才能评价，请耐心等待。"))
    if legal_case.rating is not None:
        raise ValidationError(_("您已评价过本案，感谢您的反馈。"))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": [_("请选择1到5颗星。")]})
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise ValidationError({"comment": [_("评价意见最多1000字。")]})
    legal_case.rating, legal_case.rating_comment, legal_case.rated_at = rating, comment, timezone.now()
    legal_case.save(update_fields=["rating", "rating_comment", "rated_at"])
    _timeline(legal_case, by, _("申请人评价：%(n)s星。%(comment)s") % {"n": rating, "comment": comment})
    record(by, AuditEntry.Action.CHANGE, legal_case, node=_node_of(legal_case), event="legal.rated",
           changes={"rating": [None, rating]})
    return legal_case


def may_rate(user, legal_case: LegalCase) -> bool:
    return (access.is_applicant(user, legal_case) and legal_case.rating is None
            and (legal_case.case.state == "closed" or bool(legal_case.outcome)))
