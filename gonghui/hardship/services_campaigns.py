"""The rules of 金秋助学 (Golden Autumn) and 送温暖 (Send Warmth); every write goes through here.

Plain functions taking the acting user as ``by``; each write is audited. Applications are cases on
the engine (golden_autumn.py): their steps go through workflow.services.perform_transition, and
``golden_after_transition`` is the type's hook, run inside the step's transaction — raising there
refuses the whole step and writes nothing.
"""

import datetime
import io
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core import crypto
from gonghui.core.scope import has_permission, paths_with_permission, subtree_q
from gonghui.core.validators import clean_id_number
from gonghui.hardship import golden_autumn
from gonghui.hardship.golden_autumn import APPROVE, CHANGE, VIEW
from gonghui.hardship.models import (
    GoldenAutumnApplication,
    GoldenAutumnRound,
    HardshipFile,
    SendWarmthCampaign,
    WarmthTarget,
    WarmthVisit,
)
from gonghui.hardship.policy import params_for
from gonghui.ledger.services import record_service
from gonghui.members.models import Worker
from gonghui.members.services import active_membership
from gonghui.orgs.models import STEP_LEN, UnionNode
from gonghui.workflow import services as workflow
from gonghui.workflow.models import Case

KIND_GOLDEN = "hardship.golden_autumn"
KIND_WARMTH = "hardship.send_warmth"
FEDERATION_KINDS = (UnionNode.Kind.PROVINCE_FEDERATION, UnionNode.Kind.CITY_FEDERATION,
                    UnionNode.Kind.DISTRICT_FEDERATION)
MAX_AMOUNT = Decimal("100000000")
MAX_VISIT_VALUE = Decimal("100000")

# Golden Autumn's own exclusions (besides the file exclusions of the policy in force).
GOLDEN_EXCLUSIONS = {
    "military_academy": gettext_lazy("子女就读军队院校"),
    "free_program": gettext_lazy("子女为免费师范生或定向培养生"),
    "funded_elsewhere": gettext_lazy("子女已获得政府部门或社会组织的同类资助"),
    "private_school": gettext_lazy("子女就读高收费私立学校或自费出国留学"),
}
LETTER_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "application/pdf"}


def _today() -> datetime.date:
    return timezone.localdate()


def _date_text(day: datetime.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def _cents(value) -> Decimal:
    """A sum as money: SQLite's SUM of decimals comes back without the two places."""
    return Decimal(value).quantize(Decimal("0.01"))


def _money(value) -> str:
    return f"¥{Decimal(value):,.2f}"


def _paths_up(path: str) -> list[str]:
    """A path and the paths of every node above it."""
    return [path[:i] for i in range(STEP_LEN, len(path) + 1, STEP_LEN)]


def _reach(user, permission: str, lookup: str = "node_path") -> Q | None:
    """Rows set by a node above or inside the user's grants (a round or campaign of the city is
    seen by the districts' and unions' staff, who take part in it); None = nothing."""
    paths = paths_with_permission(user, permission)
    if paths is None:
        return Q()
    if not paths:
        return None
    above = {p for path in paths for p in _paths_up(path)}
    return reduce(or_, (subtree_q(lookup, p) for p in paths), Q(**{f"{lookup}__in": above}))


def _reaching(model, user, permission: str = VIEW):
    q = _reach(user, permission)
    qs = model.objects.unscoped().select_related("node")
    return qs.none() if q is None else qs.filter(q)


def rounds_visible_to(user, permission: str = VIEW):
    return _reaching(GoldenAutumnRound, user, permission)


def campaigns_visible_to(user, permission: str = VIEW):
    return _reaching(SendWarmthCampaign, user, permission)


def _decimal(value, label: str, errors: dict, name: str, *, positive: bool = False, limit=MAX_AMOUNT):
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except InvalidOperation:
        amount = None
        errors[name] = [_("%(label)s应为数字，例如1200或1200.50。") % {"label": label}]
        return None
    if amount is None:
        errors[name] = [_("请填写%(label)s。") % {"label": label}]
    elif not amount.is_finite() or amount < 0 or (positive and amount == 0):
        errors[name] = [_("%(label)s应大于0。") % {"label": label} if positive
                        else _("%(label)s不能为负数。") % {"label": label}]
    elif amount > limit:
        errors[name] = [_("%(label)s不能超过%(limit)s，请核对。") % {"label": label, "limit": _money(limit)}]
    elif amount != amount.quantize(Decimal("0.01")):
        errors[name] = [_("%(label)s最多保留两位小数。") % {"label": label}]
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def _date(value, label: str, errors: dict, name: str):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors[name] = [_("请按2026-01-31的格式填写%(label)s。") % {"label": label}]
        return None


def _text(data, name, label, max_length, errors, *, required=True) -> str:
    value = " ".join(str(data.get(name) or "").split())
    if not value and required:
        errors[name] = [_("请填写%(label)s。") % {"label": label}]
    elif len(value) > max_length:
        errors[name] = [_("%(label)s最多%(n)d个字。") % {"label": label, "n": max_length}]
    return value


def _mask_account(account: str) -> str:
    return account[:4] + "*" * max(len(account) - 8, 2) + account[-4:] if len(account) > 8 else "*" * len(account)


# ======================= 金秋助学: rounds =======================

def create_round(node: UnionNode, data: dict, *, by) -> GoldenAutumnRound:
    """A federation opens its Golden Autumn round for a year (one per federation and year)."""
    if not has_permission(by, APPROVE, node.path):
        raise PermissionDenied(_("只有该总工会的审批人员可以设立金秋助学批次。"))
    errors: dict[str, list[str]] = {}
    if node.kind not in FEDERATION_KINDS:
        errors["node"] = [_("金秋助学由市、区（县）总工会组织，请选择总工会。")]
    try:
        year = int(data.get("year") or 0)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        errors["year"] = [_("请填写年度，例如%(y)d。") % {"y": _today().year}]
    title = _text(data, "title", _("名称"), 100, errors, required=False) or (
        _("%(y)d年金秋助学") % {"y": year} if year else "")
    opens_on = _date(data.get("opens_on"), _("申请开始日期"), errors, "opens_on")
    closes_on = _date(data.get("closes_on"), _("申请截止日期"), errors, "closes_on")
    if opens_on and closes_on and closes_on < opens_on:
        errors["closes_on"] = [_("申请截止日期不能早于开始日期。")]
    budget = _decimal(data.get("budget"), _("预算"), errors, "budget", positive=True)
    note = str(data.get("note") or "").strip()[:2000]
    if not errors and GoldenAutumnRound.objects.unscoped().filter(node=node, year=year).exists():
        errors["year"] = [_("%(node)s已设立%(y)d年的金秋助学批次，请修改原批次。") % {"node": node.name, "y": year}]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            rnd = GoldenAutumnRound.objects.create(node=node, year=year, title=title, opens_on=opens_on,
                                                   closes_on=closes_on, budget=budget, note=note,
                                                   created_by=by if by.is_authenticated else None)
            record(by, AuditEntry.Action.CREATE, rnd, node=node, event="hardship.golden_round.created",
                   changes={"year": [None, year], "opens_on": [None, opens_on.isoformat()],
                            "closes_on": [None, closes_on.isoformat()], "budget": [None, str(budget)]})
    except IntegrityError:
        raise ValidationError({"year": [_("%(node)s已设立%(y)d年的金秋助学批次，请修改原批次。")
                                        % {"node": node.name, "y": year}]}) from None
    return rnd


def round_nodes(user):
    """Federations where ``user`` may set up a round or a campaign (holds hardship.approve)."""
    paths = paths_with_permission(user, APPROVE)
    qs = UnionNode.objects.unscoped().filter(active=True, kind__in=FEDERATION_KINDS).order_by("path")
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    return qs.filter(reduce(or_, (subtree_q("path", p) for p in paths)))


def round_for(union: UnionNode, on: datetime.date | None = None) -> GoldenAutumnRound | None:
    """The round a worker of ``union`` applies in: the year's round of the nearest federation above."""
    on = on or _today()
    return (GoldenAutumnRound.objects.unscoped().select_related("node")
            .filter(node_path__in=_paths_up(union.path), year=on.year).order_by("-node_path").first())


def round_totals(rnd: GoldenAutumnRound) -> dict:
    """Applications and money of a whole round: granted = approved + paid (against the budget)."""
    rows = (GoldenAutumnApplication.objects.unscoped().filter(round=rnd).values("case__state")
            .annotate(n=Count("pk"), total=Sum("amount")).order_by())
    by_state = {r["case__state"]: (r["n"], r["total"] or Decimal("0")) for r in rows}
    granted = sum((by_state.get(s, (0, Decimal("0")))[1] for s in ("approved", "paid")), Decimal("0"))
    paid = by_state.get("paid", (0, Decimal("0")))[1]
    granted, paid = _cents(granted), _cents(paid)
    return {"by_state": {k: v[0] for k, v in by_state.items()}, "granted": granted, "paid": paid,
            "remaining": _cents(rnd.budget - granted), "students": sum(v[0] for k, v in by_state.items()
                                                               if k in ("approved", "paid"))}


# ======================= 金秋助学: applying =======================

@dataclass
class Eligibility:
    worker: Worker | None
    union: UnionNode | None
    round: GoldenAutumnRound | None
    file: HardshipFile | None = None
    group: str = ""
    amounts: dict = field(default_factory=dict)
    problem: str = ""  # why the worker may not apply now (Chinese), empty when they may

    def amount_for(self, level: str) -> Decimal:
        key = level if self.group == GoldenAutumnApplication.Group.REGISTERED else "other"
        return Decimal(str(self.amounts.get(key) or "0")).quantize(Decimal("0.01"))


def registered_file_of(worker: Worker) -> HardshipFile | None:
    return (HardshipFile.objects.unscoped().select_related("union")
            .filter(worker=worker, status=HardshipFile.Status.REGISTERED).order_by("-pk").first())


def eligibility(worker: Worker | None, on: datetime.date | None = None) -> Eligibility:
    """Who the worker applies as, in which round, for how much — or why they cannot apply now."""
    on = on or _today()
    if worker is None:
        return Eligibility(None, None, None, problem=_("请先在“我的”中完成实名登记，再申请金秋助学。"))
    file = registered_file_of(worker)
    membership = active_membership(worker)
    union = file.union if file is not None else (membership.union if membership else None)
    if union is None:
        return Eligibility(worker, None, None,
                           problem=_("金秋助学面向工会会员家庭：您目前没有在册会籍，请先加入工会。"))
    rnd = round_for(union, on)
    result = Eligibility(worker, union, rnd, file=file)
    if rnd is None:
        result.problem = _("%(y)d年的金秋助学尚未开始，请留意工会通知。") % {"y": on.year}
        return result
    result.amounts = params_for(rnd.node, on).get("golden_autumn", {})
    if not rnd.is_open_on(on):
        result.problem = _("%(title)s的申请时间为%(start)s至%(end)s，现在不在申请时间内。") % {
            "title": rnd.title, "start": _date_text(rnd.opens_on), "end": _date_text(rnd.closes_on)}
        return result
    if file is not None:
        result.group = GoldenAutumnApplication.Group.REGISTERED
        excluded = [code for code in file.exclusion_flags or []
                    if code in params_for(rnd.node, on).get("exclusions", [])]
        if excluded:
            from gonghui.hardship.models import Exclusion

            labels = "、".join(str(Exclusion(c).label) if c in Exclusion.values else c for c in excluded)
            result.problem = _("您的困难职工档案登记有不予资助的情形（%(labels)s），不能申请金秋助学。"
                               "如情况已变化，请联系%(union)s。") % {"labels": labels, "union": union.name}
    else:
        result.group = GoldenAutumnApplication.Group.OTHER
        if Decimal(str(result.amounts.get("other") or "0")) <= 0:
            result.problem = _("本批次金秋助学只受理在档困难职工家庭的申请。")
    return result


def exclusion_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in GOLDEN_EXCLUSIONS.items()]


def clean_application(data: dict, elig: Eligibility) -> dict:
    """The form's fields checked and normalised; ValidationError keyed by field, in Chinese."""
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    cleaned["child_name"] = _text(data, "child_name", _("子女姓名"), 60, errors)
    try:
        cleaned["child_id_number"] = clean_id_number(str(data.get("child_id_number") or ""))
    except ValidationError as e:
        errors["child_id_number"] = [_("请填写子女的身份证号。")] if not str(
            data.get("child_id_number") or "").strip() else e.messages
    else:
        if elig.worker is not None and crypto.keyed_hash(cleaned["child_id_number"]) == elig.worker.id_number_hash:
            errors["child_id_number"] = [_("这是您本人的身份证号，请填写子女的身份证号。")]
    cleaned["school"] = _text(data, "school", _("录取学校"), 120, errors)
    level = str(data.get("level") or "").strip()
    if level not in GoldenAutumnApplication.Level.values:
        errors["level"] = [_("请选择就读层次（大学或高中）。")]
    cleaned["level"] = level
    year = elig.round.year if elig.round else _today().year
    try:
        admission_year = int(str(data.get("admission_year") or "").strip())
    except ValueError:
        admission_year = None
    if admission_year != year:
        errors["admission_year"] = [_("金秋助学资助当年新录取的学生：入学年份应为%(y)d年。") % {"y": year}]
    cleaned["admission_year"] = admission_year
    cleaned["bank_name"] = _text(data, "bank_name", _("开户银行"), 100, errors, required=False)
    account = "".join(str(data.get("bank_account") or "").split())
    if not account and elig.file is not None and elig.file.bank_account_encrypted:
        account = elig.file.full_bank_account()
        cleaned["bank_name"] = cleaned["bank_name"] or elig.file.bank_name
    if not account:
        errors["bank_account"] = [_("请填写用于接收助学金的银行卡号。")]
    elif not account.isdigit() or not 12 <= len(account) <= 30:
        errors["bank_account"] = [_("银行卡号应为12至30位数字，请核对。")]
    if not cleaned["bank_name"] and "bank_name" not in errors:
        errors["bank_name"] = [_("请填写开户银行，例如“工商银行江海分行”。")]
    cleaned["bank_account"] = account
    cleaned["hardship_note"] = str(data.get("hardship_note") or "").strip()[:2000]
    if elig.group == GoldenAutumnApplication.Group.OTHER and not cleaned["hardship_note"]:
        errors["hardship_note"] = [_("您还没有困难职工档案：请简要说明家庭困难情况（如大病、意外、收入低、学费负担重）。")]
    raw = data.get("exclusions") or []
    codes = [raw] if isinstance(raw, str) else list(raw)
    unknown = [c for c in codes if c not in GOLDEN_EXCLUSIONS]
    if unknown:
        errors["exclusions"] = [_("不予资助情形的选项不正确，请重新选择。")]
    elif codes:
        labels = "、".join(str(GOLDEN_EXCLUSIONS[c]) for c in codes)
        errors["exclusions"] = [_("有以下情形的不能申请金秋助学：%(labels)s。") % {"labels": labels}]
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_letter(upload) -> None:
    """The admission letter: a photo or PDF, checked by its content (the engine's upload rule)."""
    if upload is None:
        raise ValidationError({"letter": [_("请上传录取通知书的照片或PDF。")]})
    try:
        _ext, content_type = workflow.check_upload(upload)
    except ValidationError as e:
        raise ValidationError({"letter": e.message_dict.get("file", e.messages)}) from None
    if content_type not in LETTER_TYPES:
        raise ValidationError({"letter": [_("录取通知书请上传照片（jpg、png）或PDF文件。")]})


def apply(*, by, worker: Worker, data: dict, letter, on: datetime.date | None = None) -> GoldenAutumnApplication:
    """A parent applies for one child: the worker themselves (portal, API) or the union's staff for
    them. Opens a "golden_autumn" case at the household's union with the letter attached."""
    if not getattr(by, "is_authenticated", False):
        raise PermissionDenied(_("请先登录。"))
    own = worker.user_id is not None and worker.user_id == by.pk
    elig = eligibility(worker, on)
    if not own and (elig.union is None or not has_permission(by, CHANGE, elig.union.path)):
        raise PermissionDenied(_("只能为本工会的职工代为申请。"))
    if elig.problem:
        raise ValidationError({"__all__": [elig.problem]})
    cleaned = clean_application(data, elig)
    check_letter(letter)
    child_hash = crypto.keyed_hash(cleaned["child_id_number"])
    duplicate = _("该子女（身份证号%(masked)s）%(y)d年已申请过金秋助学，同一子女每年只能申请一次。") % {
        "masked": crypto.mask_id_number(cleaned["child_id_number"]), "y": elig.round.year}
    if GoldenAutumnApplication.objects.unscoped().filter(year=elig.round.year, child_id_hash=child_hash,
                                                         active=True).exists():
        raise ValidationError({"child_id_number": [duplicate]})
    amount = elig.amount_for(cleaned["level"])
    from gonghui.hardship.models_campaigns import LEVEL_SHORT

    level_label = LEVEL_SHORT[cleaned["level"]]
    try:
        with transaction.atomic():
            case = workflow.open_case(
                golden_autumn.NAME, node=elig.union, by=by, applicant=worker.user,
                applicant_name=worker.name, topic=cleaned["level"],
                title=_("%(name)s为子女%(child)s申请金秋助学（%(level)s）") % {
                    "name": worker.name, "child": cleaned["child_name"], "level": level_label})
            app = GoldenAutumnApplication(
                case=case, round=elig.round, year=elig.round.year, worker=worker, file=elig.file,
                group=elig.group, hardship_note=cleaned["hardship_note"], child_name=cleaned["child_name"],
                child_id_encrypted=crypto.encrypt(cleaned["child_id_number"]), child_id_hash=child_hash,
                child_id_masked=crypto.mask_id_number(cleaned["child_id_number"]), school=cleaned["school"],
                admission_year=cleaned["admission_year"], level=cleaned["level"], bank_name=cleaned["bank_name"],
                bank_account_encrypted=crypto.encrypt(cleaned["bank_account"]),
                bank_account_masked=_mask_account(cleaned["bank_account"]), amount=amount)
            app.save()
            record(by, AuditEntry.Action.CREATE, app, node=elig.union, event="hardship.golden_autumn.applied",
                   changes={"child": [None, app.child_id_masked], "level": [None, app.level],
                            "amount": [None, str(amount)], "group": [None, app.group]},
                   extra={"round": elig.round.pk, "on_behalf": not own})
            workflow.add_attachment(case, letter, by=by, internal=False)
    except IntegrityError:
        raise ValidationError({"child_id_number": [duplicate]}) from None
    return app


def applications_of_worker(worker: Worker):
    return (GoldenAutumnApplication.objects.unscoped().filter(worker=worker)
            .select_related("case", "round").order_by("-year", "-case_id"))


def notice_list(rnd: GoldenAutumnRound, union: UnionNode | None = None):
    """The public notice: applications under notice in the round (names masked when shown)."""
    qs = (GoldenAutumnApplication.objects.unscoped().filter(round=rnd, case__state="notice")
          .select_related("worker", "case__node").order_by("case__node__path", "case_id"))
    return qs


def masked_name(name: str) -> str:
    """张* / 欧阳** : the family name only (a two-character compound surname keeps both)."""
    if not name:
        return ""
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "*" * (len(name) - keep)


# ======================= 金秋助学: the engine's hook and batches =======================

def golden_after_transition(case: Case, transition, data: dict, by) -> None:
    app = GoldenAutumnApplication.objects.unscoped().select_related("round__node", "worker").get(pk=case.pk)
    today = _today()
    if transition.name == "verify":
        from gonghui.workflow import calendar
        from gonghui.workflow.declarations import TimeLimit

        app.notice_ends_at = calendar.due_at(timezone.now(), TimeLimit(golden_autumn.notice_days(case)))
        app.save(update_fields=["notice_ends_at"])
    elif transition.name == "objection":
        app.notice_ends_at = None
        app.save(update_fields=["notice_ends_at"])
    elif transition.name == "approve":
        rnd = GoldenAutumnRound.objects.unscoped().select_for_update().select_related("node").get(pk=app.round_id)
        if not has_permission(by, APPROVE, rnd.node_path):
            raise PermissionDenied(_("金秋助学由%(node)s批准，您不能批准。") % {"node": rnd.node.name})
        granted = (GoldenAutumnApplication.objects.unscoped()
                   .filter(round=rnd, case__state__in=("approved", "paid")).exclude(pk=app.pk)
                   .aggregate(total=Sum("amount"))["total"] or Decimal("0"))
        if granted + app.amount > rnd.budget:
            raise ValidationError({"__all__": [_(
                "超出批次预算：预算%(budget)s，已批准%(granted)s，本申请%(amount)s。请调整预算或暂缓批准。") % {
                "budget": _money(rnd.budget), "granted": _money(granted), "amount": _money(app.amount)}]})
        app.approved_on = today
        app.save(update_fields=["approved_on"])
    elif transition.name == "pay":
        if not has_permission(by, APPROVE, app.round.node_path):
            raise PermissionDenied(_("金秋助学由%(node)s发放，您不能确认发放。") % {"node": app.round.node.name})
        app.paid_on = today
        app.save(update_fields=["paid_on"])
        record_service(worker=app.worker, kind=KIND_GOLDEN, app="hardship", source=app,
                       title=_("%(title)s：%(child)s（%(school)s）") % {
                           "title": app.round.title, "child": app.child_name, "school": app.school},
                       delivering_union=app.round.node, amount=app.amount, delivered_on=today, by=by)
    elif transition.name in ("reject", "withdraw"):
        app.active = False
        app.save(update_fields=["active"])


@dataclass
class BatchResult:
    done: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (application or id, message)


def batch_transition(ids, name: str, *, by, data: dict | None = None) -> BatchResult:
    """Take one step (approve, pay, …) on many applications: one engine transition per case, each in
    its own transaction and audited; a failure leaves the others done and is reported."""
    if name not in {t.name for t in golden_autumn.GOLDEN_AUTUMN.transitions} or name == "withdraw":
        raise ValidationError({"action": [_("没有这个批量操作。")]})
    wanted = []
    for raw in ids:
        try:
            wanted.append(int(raw))
        except (TypeError, ValueError):
            continue
    if not wanted:
        raise ValidationError({"ids": [_("请先勾选要处理的申请。")]})
    found = {a.pk: a for a in GoldenAutumnApplication.objects.visible_to(by, VIEW)
             .filter(pk__in=wanted).select_related("case", "case__node", "worker")}
    result = BatchResult()
    label = golden_autumn.GOLDEN_AUTUMN.transition(name).label
    for pk in dict.fromkeys(wanted):
        app = found.get(pk)
        if app is None:
            result.failed.append((pk, _("申请不存在或不在您的管辖范围内。")))
            continue
        if name == "approve" and app.case.state == "notice" and not golden_autumn.notice_over(app.case):
            ends = timezone.localtime(app.notice_ends_at) if app.notice_ends_at else None
            result.failed.append((app, _("公示期至%(date)s结束，公示期满后才能批准。") % {
                "date": _date_text(ends.date()) if ends else "—"}))
            continue
        try:
            workflow.perform_transition(app.case, name, by=by, version=app.case.version, data=data or {})
        except workflow.StaleCase as e:
            result.failed.append((app, str(e)))
        except PermissionDenied as e:
            result.failed.append((app, str(e) or _("您不能对当前状态的申请执行“%(action)s”。") % {"action": label}))
        except ValidationError as e:
            result.failed.append((app, "；".join(e.messages)))
        else:
            result.done.append(app)
    return result


# ======================= 金秋助学: the payment list for the bank =======================

def payment_rows(rnd: GoldenAutumnRound, user):
    """Approved applications of the round in the user's scope (what the bank is asked to pay)."""
    return (GoldenAutumnApplication.objects.visible_to(user, VIEW).filter(round=rnd, case__state="approved")
            .select_related("worker", "case__node").order_by("case__node__path", "case_id"))


def payment_list_xlsx(rnd: GoldenAutumnRound, *, by) -> tuple[bytes, int]:
    """The bank's payment list as .xlsx: name, ID (full only with members.view_full_id at the
    union), bank, account, amount; one audit entry says what left the system."""
    import xlsxwriter

    if not has_permission(by, APPROVE, rnd.node_path):
        # The list carries full bank accounts: only the federation that pays the round exports it.
        raise PermissionDenied(_("发放名单由组织批次的总工会导出。"))
    full_paths = paths_with_permission(by, "members.view_full_id")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False})
    sheet = book.add_worksheet(_("发放名单"))
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    money_bold = book.add_format({"num_format": "#,##0.00", "bold": True})
    sheet.write(0, 0, _("%(title)s 助学金发放名单") % {"title": rnd.title}, bold)
    header = [_("序号"), _("姓名"), _("身份证号"), _("开户银行"), _("银行账号"), _("金额（元）"), _("子女姓名"),
              _("就读学校"), _("基层工会")]
    sheet.write_row(2, 0, header, bold)
    widths = [6, 10, 22, 22, 26, 12, 10, 26, 28]
    for i, w in enumerate(widths):
        sheet.set_column(i, i, w)
    total = Decimal("0")
    n = 0
    full_count = 0
    for n, app in enumerate(payment_rows(rnd, by), start=1):
        full = full_paths is None or any(app.case.node_path.startswith(p) for p in full_paths)
        full_count += full
        id_text = app.worker.full_id_number() if full else app.worker.id_number_masked
        row = 2 + n
        sheet.write_string(row, 0, str(n))
        sheet.write_string(row, 1, app.worker.name)
        sheet.write_string(row, 2, id_text)
        sheet.write_string(row, 3, app.bank_name)
        sheet.write_string(row, 4, crypto.decrypt(app.bank_account_encrypted))
        sheet.write_number(row, 5, float(app.amount), money)  # a cell value only; sums stay Decimal
        sheet.write_string(row, 6, app.child_name)
        sheet.write_string(row, 7, app.school)
        sheet.write_string(row, 8, app.case.node.name)
        total += app.amount
    sheet.write_string(3 + n, 1, _("合计"), bold)
    sheet.write_string(3 + n, 4, _("%(n)d人") % {"n": n}, bold)
    sheet.write_number(3 + n, 5, float(total), money_bold)
    book.close()
    record(by, AuditEntry.Action.EXPORT, rnd, node=rnd.node, event="hardship.golden_autumn.payment_list",
           extra={"rows": n, "total": str(total), "full_id_rows": full_count, "bank_accounts": "full"})
    return buffer.getvalue(), n


# ======================= 送温暖: campaigns =======================

def campaign_nodes(user):
    """Unions where ``user`` may set up a Send Warmth campaign (holds hardship.approve there)."""
    paths = paths_with_permission(user, APPROVE)
    qs = UnionNode.objects.unscoped().filter(active=True, kind__in=UnionNode.UNION_KINDS).order_by("path")
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    return qs.filter(reduce(or_, (subtree_q("path", p) for p in paths)))


CATEGORY_CODES = (HardshipFile.Category.DEEP, HardshipFile.Category.RELATIVE, HardshipFile.Category.ACCIDENT)


def create_campaign(node: UnionNode, data: dict, *, by) -> SendWarmthCampaign:
    if not has_permission(by, APPROVE, node.path):
        raise PermissionDenied(_("只有该工会的审批人员可以设立送温暖活动。"))
    errors: dict[str, list[str]] = {}
    name = _text(data, "name", _("活动名称"), 100, errors)
    starts_on = _date(data.get("starts_on"), _("开始日期"), errors, "starts_on")
    ends_on = _date(data.get("ends_on"), _("结束日期"), errors, "ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("结束日期不能早于开始日期。")]
    budget = _decimal(data.get("budget"), _("预算"), errors, "budget", positive=True)
    standard = _decimal(data.get("standard_amount"), _("每户慰问标准"), errors, "standard_amount", positive=True,
                        limit=MAX_VISIT_VALUE)
    raw = data.get("categories") or []
    categories = [raw] if isinstance(raw, str) else list(raw)
    if not categories:
        errors["categories"] = [_("请至少选择一个走访的困难类别。")]
    elif any(c not in CATEGORY_CODES for c in categories):
        errors["categories"] = [_("困难类别的选项不正确，请重新选择。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        campaign = SendWarmthCampaign.objects.create(
            node=node, name=name, starts_on=starts_on, ends_on=ends_on, budget=budget,
            categories=sorted(set(categories), key=CATEGORY_CODES.index),
            include_model_workers=bool(data.get("include_model_workers")),
            include_frontline=bool(data.get("include_frontline")), standard_amount=standard,
            created_by=by if by.is_authenticated else None)
        record(by, AuditEntry.Action.CREATE, campaign, node=node, event="hardship.warmth.created",
               changes={"name": [None, name], "budget": [None, str(budget)],
                        "categories": [None, campaign.categories], "standard_amount": [None, str(standard)]})
    return campaign


def generate_targets(campaign: SendWarmthCampaign, *, by) -> int:
    """Put on the list every registered file of the chosen categories in the campaign's subtree.
    Running it again adds only households registered since (and never removes a visited one)."""
    if not has_permission(by, CHANGE, campaign.node_path):
        raise PermissionDenied(_("只有组织该活动的工会可以生成走访名单。"))
    with transaction.atomic():
        SendWarmthCampaign.objects.unscoped().select_for_update().filter(pk=campaign.pk).first()
        added = list_from_registry(campaign)
        record(by, AuditEntry.Action.CREATE, campaign, node=campaign.node, event="hardship.warmth.list_generated",
               extra={"added": added})
    return added


def list_from_registry(campaign: SendWarmthCampaign) -> int:
    """The rows generate_targets adds (callers lock and audit); the number added."""
    files = (HardshipFile.objects.unscoped()
             .filter(subtree_q("node_path", campaign.node_path), status=HardshipFile.Status.REGISTERED,
                     category__in=campaign.categories)
             .exclude(worker__in=WarmthTarget.objects.unscoped().filter(campaign=campaign).values("worker"))
             .values_list("pk", "worker_id", "union_id", "node_path", "category"))
    rows = [WarmthTarget(campaign=campaign, file_id=pk, worker_id=worker, union_id=union, node_path=path,
                         group=category) for pk, worker, union, path, category in files]
    WarmthTarget.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def add_target(campaign: SendWarmthCampaign, worker: Worker, group: str, *, by) -> WarmthTarget:
    """Add a model worker or a frontline worker to the list, when the campaign's rule includes them."""
    allowed = {WarmthTarget.Group.MODEL_WORKER: campaign.include_model_workers,
               WarmthTarget.Group.FRONTLINE: campaign.include_frontline}
    if not allowed.get(group):
        raise ValidationError({"group": [_("本活动的走访范围不包括这类职工。")]})
    membership = active_membership(worker)
    if membership is None or not membership.node_path.startswith(campaign.node_path):
        raise ValidationError({"worker": [_("只能添加本活动范围内工会的在册会员。")]})
    if not has_permission(by, CHANGE, membership.node_path):
        raise PermissionDenied(_("只能添加本工会的职工。"))
    try:
        with transaction.atomic():
            target = WarmthTarget.objects.create(campaign=campaign, worker=worker, union=membership.union,
                                                 node_path=membership.node_path, group=group)
            record(by, AuditEntry.Action.CREATE, target, event="hardship.warmth.target_added",
                   changes={"worker": [None, worker.pk], "group": [None, group]})
    except IntegrityError:
        raise ValidationError({"worker": [_("该职工已在走访名单中。")]}) from None
    return target


def _photo_type(upload) -> str:
    try:
        _ext, content_type = workflow.check_upload(upload)
    except ValidationError as e:
        raise ValidationError({"photo": e.message_dict.get("file", e.messages)}) from None
    if not content_type.startswith("image/"):
        raise ValidationError({"photo": [_("现场照片只能是图片（jpg、png、gif、webp、heic）。")]})
    return content_type


def record_visit(target: WarmthTarget, data: dict, *, by, photo=None) -> WarmthVisit:
    """Record the visit to one household on the list; the value counts against the budget and the
    worker's ledger gets a row."""
    if not has_permission(by, CHANGE, target.node_path):
        raise PermissionDenied(_("只能登记本工会范围内的走访。"))
    errors: dict[str, list[str]] = {}
    campaign = target.campaign
    visited_on = _date(data.get("visited_on"), _("走访日期"), errors, "visited_on")
    if visited_on and visited_on > _today():
        errors["visited_on"] = [_("走访日期不能晚于今天。")]
    elif visited_on and visited_on < campaign.starts_on:
        errors["visited_on"] = [_("走访日期不能早于活动开始日期%(date)s。") % {"date": _date_text(campaign.starts_on)}]
    visitors = _text(data, "visitors", _("走访人员"), 200, errors)
    kind = str(data.get("kind") or "").strip()
    if kind not in WarmthVisit.Kind.values:
        errors["kind"] = [_("请选择慰问方式（慰问金或慰问品）。")]
    value = _decimal(data.get("value"), _("金额或物品价值"), errors, "value", positive=True, limit=MAX_VISIT_VALUE)
    goods = _text(data, "goods", _("慰问品"), 200, errors, required=False)
    if kind == WarmthVisit.Kind.GOODS and not goods:
        errors["goods"] = [_("请写明送了什么慰问品，例如“米、油各一袋”。")]
    note = str(data.get("note") or "").strip()[:2000]
    content_type = ""
    if photo is not None:
        try:
            content_type = _photo_type(photo)
        except ValidationError as e:
            errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = SendWarmthCampaign.objects.unscoped().select_for_update().get(pk=campaign.pk)
        if WarmthVisit.objects.unscoped().filter(target=target).exists():
            raise ValidationError({"__all__": [_("该户已登记过走访。")]})
        spent = (WarmthVisit.objects.unscoped().filter(target__campaign=locked)
                 .aggregate(total=Sum("value"))["total"] or Decimal("0"))
        if spent + value > locked.budget:
            raise ValidationError({"value": [_("超出活动预算：预算%(budget)s，已支出%(spent)s，本次%(value)s。") % {
                "budget": _money(locked.budget), "spent": _money(spent), "value": _money(value)}]})
        visit = WarmthVisit(target=target, visited_on=visited_on, visitors=visitors, kind=kind, value=value,
                            goods=goods, note=note, photo_type=content_type,
                            created_by=by if by.is_authenticated else None)
        if photo is not None:
            visit.photo.save(f"{uuid.uuid4().hex}", ContentFile(photo.content), save=False)
        try:
            with transaction.atomic():
                visit.save()
        except IntegrityError:
            raise ValidationError({"__all__": [_("该户已登记过走访。")]}) from None
        record(by, AuditEntry.Action.CREATE, visit, node=target.union, event="hardship.warmth.visited",
               changes={"visited_on": [None, visited_on.isoformat()], "kind": [None, kind],
                        "value": [None, str(value)]}, extra={"campaign": campaign.pk, "photo": bool(photo)})
        record_service(worker=target.worker, kind=KIND_WARMTH, app="hardship", source=visit,
                       title=_("%(name)s（%(kind)s）") % {"name": campaign.name, "kind": visit.kind_label},
                       delivering_union=target.union, amount=value, delivered_on=visited_on, by=by)
    return visit


def campaign_figures(campaign: SendWarmthCampaign, user) -> dict:
    """Coverage (visited ÷ listed) in the user's scope, per union, and the campaign's spending
    against its budget."""
    targets = WarmthTarget.objects.visible_to(user, VIEW).filter(campaign=campaign)
    per_union = list(targets.values("union__name", "union__short_name", "union_id").annotate(
        listed=Count("pk"), visited=Count("visit"), spent=Sum("visit__value")).order_by("union__name"))
    listed = sum(r["listed"] for r in per_union)
    visited = sum(r["visited"] for r in per_union)
    for r in per_union:
        r["coverage"] = round(100 * r["visited"] / r["listed"], 1) if r["listed"] else 0
        r["spent"] = _cents(r["spent"] or Decimal("0"))
    spent = _cents(WarmthVisit.objects.unscoped().filter(target__campaign=campaign)
                   .aggregate(total=Sum("value"))["total"] or Decimal("0"))
    return {"listed": listed, "visited": visited,
            "coverage": round(100 * visited / listed, 1) if listed else 0,
            "spent": spent, "budget": campaign.budget, "remaining": _cents(campaign.budget - spent),
            "spent_share": round(100 * spent / campaign.budget, 1) if campaign.budget else 0,
            "per_union": per_union}


def campaigns_of_file(file: HardshipFile, user):
    """This household's Send Warmth visits and Golden Autumn applications, for the file page."""
    targets = (WarmthTarget.objects.visible_to(user, VIEW).filter(Q(file=file) | Q(worker=file.worker_id))
               .select_related("campaign", "visit").order_by("-campaign__starts_on"))
    grants = (GoldenAutumnApplication.objects.visible_to(user, VIEW).filter(worker=file.worker_id)
              .select_related("case", "round").order_by("-year", "-case_id"))
    return {"warmth_targets": list(targets[:50]), "golden_applications": list(grants[:50])}
