"""Rules and writes of the hardship app's aid part: funds, aid payments, plans, pairings.

Every write is one atomic function taking the acting user as ``by`` and writing the audit entry;
``by=None`` means the system (demo data) and skips the permission checks.

Money rule: a fund never goes negative. ``approve_aid`` locks the payment, the household's file and
the fund row (in that order, so concurrent approvals never deadlock), checks the category's yearly
cap and the fund's remaining budget, and writes the payment, the fund's new total, the ledger row
and the audit entry in one short transaction. On SQLite the IMMEDIATE transaction (settings)
serialises writers at BEGIN; on PostgreSQL the row locks do. The table's check constraint
(spent <= budget) is the last guard.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import diff, record, snapshot
from gonghui.core.scope import has_permission, user_grants
from gonghui.hardship import policy
from gonghui.hardship.models_aid import (
    AidKind,
    AidPayment,
    AssistancePlan,
    Fund,
    MeasureKind,
    Pairing,
    PairingContact,
    PlanMeasure,
)
from gonghui.ledger.services import record_service
from gonghui.orgs.models import UnionNode

VIEW = "hardship.view"
CHANGE = "hardship.change"
APPROVE = "hardship.approve"

CITY = "city"
DISTRICT = "district"

KIND_AID_PAID = "hardship.aid_paid"
KIND_PAIRING_HELP = "hardship.pairing_help"

MAX_AMOUNT = Decimal("1000000")  # one aid or one fund's budget above this is a typing error
MAX_BUDGET = Decimal("9999999999.99")
EARLIEST = datetime.date(2000, 1, 1)
CITY_KINDS = (UnionNode.Kind.CITY_FEDERATION, UnionNode.Kind.PROVINCE_FEDERATION)


def _file_model():
    from gonghui.hardship.models import HardshipFile

    return HardshipFile


def _today() -> datetime.date:
    return timezone.localdate()


def _person(by):
    return by if getattr(by, "is_authenticated", False) else None


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _yuan(amount) -> str:
    return f"{Decimal(amount):,.2f}"


def parse_money(value, *, field_label: str, maximum: Decimal = MAX_AMOUNT, allow_zero: bool = False) -> Decimal:
    """A money amount typed by a person: positive, two decimals at most, below ``maximum``."""
    if value in (None, ""):
        raise ValidationError(_("请填写%(label)s。") % {"label": field_label})
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(label)s应是数字，如1200或1200.50。") % {"label": field_label}) from None
    if not amount.is_finite():
        raise ValidationError(_("%(label)s应是数字，如1200或1200.50。") % {"label": field_label})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(_("%(label)s应大于0元。") % {"label": field_label})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("%(label)s最多保留两位小数（分）。") % {"label": field_label})
    if amount > maximum:
        raise ValidationError(_("%(label)s不能超过%(max)s元，请核对是否多输了位数。")
                              % {"label": field_label, "max": _yuan(maximum)})
    return amount.quantize(Decimal("0.01"))


# ----- who may approve -----

def approver_levels(user) -> list[tuple[str, str]]:
    """(path, level) of every node where ``user`` holds hardship.approve at district level or above.

    ``CITY``: the top of the tree (a node with no parent) or a city (or province) federation;
    ``DISTRICT``: a district federation. Grassroots and town unions request aid; they do not approve it.
    """
    paths = [p for p, perms in user_grants(user) if APPROVE in perms]
    if not paths:
        return []
    levels = []
    for path, kind, parent_id in (UnionNode.objects.unscoped().filter(path__in=paths)
                                  .values_list("path", "kind", "parent_id")):
        if parent_id is None or kind in CITY_KINDS:
            levels.append((path, CITY))
        elif kind == UnionNode.Kind.DISTRICT_FEDERATION:
            levels.append((path, DISTRICT))
    return levels


def level_at(levels: list[tuple[str, str]], path: str) -> str | None:
    found = [level for p, level in levels if path.startswith(p)]
    return CITY if CITY in found else (DISTRICT if found else None)


def approval_level(user, path: str) -> str | None:
    """The highest level at which ``user`` may approve aid for a file at ``path`` (None: not at all)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return CITY
    return level_at(approver_levels(user), path)


def large_aid_threshold(file, on: datetime.date | None = None) -> Decimal:
    return Decimal(str(policy.param(file.union, "large_aid_threshold", on)))


def aid_cap(file, kind: str, on: datetime.date | None = None) -> Decimal | None:
    """The yearly cap of this kind of aid for the file's category under the policy in force."""
    caps = policy.param(file.union, "aid_caps", on) or {}
    value = (caps.get(file.category) or {}).get(kind)
    return Decimal(str(value)) if value not in (None, "") else None


def _year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


def paid_in_year(file, kind: str, year: int, *, exclude_pk=None) -> Decimal:
    """Aid of this kind approved and paid to the household in ``year``."""
    start, end = _year_range(year)
    qs = AidPayment.objects.unscoped().filter(file=file, kind=kind, status=AidPayment.Status.PAID,
                                               paid_on__gte=start, paid_on__lt=end)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def _check_cap(file, kind: str, amount: Decimal, on: datetime.date, *, exclude_pk=None) -> None:
    _check_cap_against(file, kind, amount, aid_cap(file, kind, on), on, exclude_pk=exclude_pk)


def _check_cap_against(file, kind: str, amount: Decimal, cap: Decimal | None, on: datetime.date, *,
                       exclude_pk=None) -> None:
    label = AidKind(kind).label
    if cap is None:
        raise ValidationError(
            _("该户的困难类别（%(category)s）没有设定%(kind)s的年度上限，不能发放。请先由市总工会在政策参数中设定。")
            % {"category": file.get_category_display() or _("未认定"), "kind": label}, code="no_cap")
    used = paid_in_year(file, kind, on.year, exclude_pk=exclude_pk)
    if used + amount > cap:
        raise ValidationError(
            _("超过年度上限：该户%(year)d年已批准%(kind)s%(used)s元，上限为%(cap)s元，本次最多还能发放%(left)s元。")
            % {"year": on.year, "kind": label, "used": _yuan(used), "cap": _yuan(cap),
               "left": _yuan(max(cap - used, Decimal("0")))}, code="over_cap")


def _check_budget(fund: Fund, amount: Decimal) -> None:
    if fund.remaining < amount:
        raise ValidationError(
            _("资金余额不足：“%(fund)s”（%(union)s）只剩%(left)s元，不够支付本次%(amount)s元。请改用其他资金或减少金额。")
            % {"fund": fund, "union": fund.union.display_name, "left": _yuan(fund.remaining),
               "amount": _yuan(amount)}, code="over_budget")


def _check_registered(file) -> None:
    HardshipFile = _file_model()
    if file.status != HardshipFile.Status.REGISTERED:
        raise ValidationError(
            _("只有在档的困难职工家庭才能获得救助；该档案当前为“%(status)s”。")
            % {"status": file.get_status_display()}, code="not_registered")


# ----- funds -----

def may_manage_funds(user, node=None) -> bool:
    return has_permission(user, APPROVE, node.path if node is not None else None)


def fund_unions(user):
    """The unions (federations and unions, not departments) a user may set up funds for."""
    return (UnionNode.objects.visible_to(user, APPROVE).filter(active=True, kind__in=UnionNode.UNION_KINDS)
            .order_by("path"))


def _clean_year(value, errors: dict) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        errors.setdefault("year", []).append(_("请填写年度，如2026。"))
        return None
    if not EARLIEST.year <= year <= _today().year + 1:
        errors.setdefault("year", []).append(
            _("年度应在%(first)d年到%(last)d年之间。") % {"first": EARLIEST.year, "last": _today().year + 1})
        return None
    return year


@transaction.atomic
def create_fund(union, *, year, source: str, budget, name: str = "", note: str = "", by) -> Fund:
    errors: dict[str, list[str]] = {}
    if not isinstance(union, UnionNode) or union.kind not in UnionNode.UNION_KINDS or not union.active:
        errors.setdefault("union", []).append(_("请选择设立资金的工会（总工会或基层工会，不能是部门）。"))
    elif by is not None and not has_permission(by, APPROVE, union.path):
        raise PermissionDenied(_("只有该工会或上级工会有审批权限的人员才能设立帮扶资金。"))
    year = _clean_year(year, errors)
    if source not in Fund.Source.values:
        errors.setdefault("source", []).append(_("请选择资金来源：工会经费、财政专项、社会捐赠或其他来源。"))
    try:
        budget = parse_money(budget, field_label=_("年度预算"), maximum=MAX_BUDGET, allow_zero=True)
    except ValidationError as e:
        errors.setdefault("budget", []).extend(e.messages)
    name, note = _text(name)[:100], _text(note)[:300]
    if not errors and Fund.objects.unscoped().filter(union=union, year=year, source=source).exists():
        errors.setdefault("source", []).append(
            _("%(union)s%(year)d年度的“%(source)s”资金已经设立，请直接修改它的预算。")
            % {"union": union.display_name, "year": year, "source": Fund.Source(source).label})
    if errors:
        raise ValidationError(errors)
    fund = Fund.objects.create(union=union, node_path=union.path, year=year, source=source, budget=budget,
                               name=name, note=note, created_by=_person(by))
    record(by, AuditEntry.Action.CREATE, fund, node=union, event="hardship.fund_created",
           changes={"year": [None, year], "source": [None, source], "budget": [None, str(budget)]})
    return fund


def update_fund(fund: Fund, *, budget, name: str | None = None, note: str | None = None, by) -> Fund:
    if by is not None and not has_permission(by, APPROVE, fund.node_path):
        raise PermissionDenied(_("只有该工会或上级工会有审批权限的人员才能修改帮扶资金。"))
    try:
        budget = parse_money(budget, field_label=_("年度预算"), maximum=MAX_BUDGET, allow_zero=True)
    except ValidationError as e:
        raise ValidationError({"budget": e.messages}) from None
    with transaction.atomic():
        current = Fund.objects.unscoped().select_for_update().get(pk=fund.pk)
        before = snapshot(current, ["budget", "name", "note"])
        if budget < current.spent:
            raise ValidationError({"budget": [_("预算不能少于已支出的%(spent)s元。") % {"spent": _yuan(current.spent)}]})
        current.budget = budget
        if name is not None:
            current.name = _text(name)[:100]
        if note is not None:
            current.note = _text(note)[:300]
        current.save(update_fields=["budget", "name", "note", "updated_at"])
        changes = diff(before, snapshot(current, ["budget", "name", "note"]))
        if changes:
            record(by, AuditEntry.Action.CHANGE, current, node=current.union, event="hardship.fund_changed",
                   changes=changes)
    return current


def funds_for_file(file, *, year: int | None = None):
    """Funds that may pay aid to the household: its union's and its ancestors', this year."""
    year = year or _today().year
    paths = [*file.union.ancestor_paths(), file.union.path]
    return (Fund.objects.unscoped().filter(node_path__in=paths, year=year).select_related("union")
            .order_by("-node_path", "source"))


# ----- aid payments -----

def may_request_aid(user, file) -> bool:
    return has_permission(user, CHANGE, file.node_path)


@transaction.atomic
def request_aid(file, *, fund: Fund | None, kind: str, amount, reason: str = "", by) -> AidPayment:
    """A union's request of one aid payment for a registered household (pending approval).

    The cap and the budget are checked here to tell the person early; approve_aid checks them again
    under the lock, which is what counts.
    """
    if by is not None and not has_permission(by, CHANGE, file.node_path):
        raise PermissionDenied(_("您不能为该档案申请救助。"))
    _check_registered(file)
    errors: dict[str, list[str]] = {}
    if kind not in AidKind.values:
        errors.setdefault("kind", []).append(_("请选择救助类别：生活救助、医疗救助、助学救助或其他救助。"))
    try:
        amount = parse_money(amount, field_label=_("救助金额"))
    except ValidationError as e:
        errors.setdefault("amount", []).extend(e.messages)
    reason = _text(reason)
    if len(reason) > 2000:
        errors.setdefault("reason", []).append(_("申请事由最多2000个字。"))
    today = _today()
    if not isinstance(fund, Fund):
        errors.setdefault("fund", []).append(_("请选择支出的资金。"))
    elif not file.node_path.startswith(fund.node_path):
        errors.setdefault("fund", []).append(_("只能使用建档工会或其上级工会的资金。"))
    elif fund.year != today.year:
        errors.setdefault("fund", []).append(
            _("“%(fund)s”是%(year)d年度的资金，只能使用本年度（%(this)d年）的资金。")
            % {"fund": fund, "year": fund.year, "this": today.year})
    if errors:
        raise ValidationError(errors)
    try:
        _check_cap(file, kind, amount, today)
    except ValidationError as e:
        raise ValidationError({"amount": e.messages}) from None
    try:
        _check_budget(fund, amount)
    except ValidationError as e:
        raise ValidationError({"fund": e.messages}) from None
    payment = AidPayment.objects.create(
        file=file, union=file.union, node_path=file.node_path, fund=fund, kind=kind, amount=amount, reason=reason,
        needs_city=amount > large_aid_threshold(file, today), requested_by=_person(by))
    record(by, AuditEntry.Action.CREATE, payment, node=file.union, event="hardship.aid_requested",
           changes={"file": [None, file.pk], "kind": [None, kind], "amount": [None, str(amount)],
                    "fund": [None, fund.pk], "needs_city": [None, payment.needs_city]})
    return payment


def _lock_payment(payment: AidPayment) -> AidPayment:
    return AidPayment.objects.unscoped().select_for_update().get(pk=payment.pk)


def _refuse_decided(current: AidPayment) -> None:
    if current.status == AidPayment.Status.PAID:
        raise ValidationError(_("这笔救助已经批准发放，不能重复审批。"), code="already_decided")
    if current.status == AidPayment.Status.REJECTED:
        raise ValidationError(_("这笔救助已经不予批准，不能再审批。"), code="already_decided")


def _approver_level(current: AidPayment, by, levels: list[tuple[str, str]] | None = None) -> str:
    """The level at which ``by`` acts on this payment now, or PermissionDenied with the reason."""
    if by is None or (getattr(by, "is_superuser", False) and by.is_active):
        return CITY
    level = level_at(approver_levels(by) if levels is None else levels, current.node_path)
    if level is None:
        raise PermissionDenied(_("救助须由区总工会或市总工会有审批权限的人员审批，基层工会可以申请但不能审批。"))
    if current.status == AidPayment.Status.AWAITING_CITY and level != CITY:
        raise PermissionDenied(_("这笔大额救助已由区总工会审核同意，须由市总工会审批。"))
    return level


def _retry_when_locked(action, attempts: int = 3):
    """Run ``action`` again when SQLite gave up waiting for the write lock ("database is locked",
    after the 20 s busy timeout: many writers at once on a loaded machine). The failed transaction
    wrote nothing, so trying again is safe; inside a caller's transaction it is not ours to retry."""
    for attempt in range(attempts):
        try:
            return action()
        except OperationalError as error:
            if ("locked" not in str(error) or connection.vendor != "sqlite" or connection.in_atomic_block
                    or attempt == attempts - 1):
                raise


def approve_aid(payment: AidPayment, *, by, note: str = "") -> AidPayment:
    """Approve one aid (see _approve_once); a write lock SQLite gave up waiting for is tried again."""
    return _retry_when_locked(lambda: _approve_once(payment, by=by, note=note))


def _approve_once(payment: AidPayment, *, by, note: str = "") -> AidPayment:
    """Approve one aid: pay it (cap and budget checked under the lock), or — a large aid approved by
    the district — send it on to the city.

    What only reads (who acts at which level, may they spend this fund, the policy's cap) is worked
    out before the write transaction. Inside it the payment and the household's file are locked
    and read again (state, registration, this year's total against the cap); the ledger row, the
    audit entry and the payment are written; and the fund is charged last, by one conditional
    UPDATE (spent + amount <= budget) — the fund's row, which every approval of that fund needs,
    is locked only from that statement to the commit. When it matches no row the budget does not
    cover the aid and the whole transaction is undone. (On SQLite the IMMEDIATE transaction
    serialises all of it anyway; on PostgreSQL this keeps concurrent approvals from queueing on the
    fund for longer than one statement.)"""
    HardshipFile = _file_model()
    seen = (AidPayment.objects.unscoped().select_related("union", "fund", "fund__union", "file", "file__union")
            .get(pk=payment.pk))
    _refuse_decided(seen)
    levels = approver_levels(by) if by is not None else []
    _approver_level(seen, by, levels)
    fund = seen.fund
    if by is not None and not has_permission(by, APPROVE, fund.node_path):
        raise PermissionDenied(
            _("这笔救助从%(union)s的“%(fund)s”支出，须由该工会或上级工会审批。")
            % {"union": fund.union.display_name, "fund": fund})
    today = _today()
    if fund.year != today.year:
        raise ValidationError(
            _("“%(fund)s”是%(year)d年度的资金，不能在%(this)d年发放；请驳回后改用本年度资金重新申请。")
            % {"fund": fund, "year": fund.year, "this": today.year}, code="wrong_year")
    _check_budget(fund, seen.amount)  # a fund already spent refuses at once, without taking any lock
    cap = aid_cap(seen.file, seen.kind, today)
    note = _text(note)[:500]
    with transaction.atomic():
        current = _lock_payment(payment)
        _refuse_decided(current)
        level = _approver_level(current, by, levels)  # the state may have moved since it was read
        # The household's row: two approvals for one household queue here, so the yearly cap holds.
        file = HardshipFile.objects.unscoped().select_for_update().get(pk=current.file_id)
        _check_registered(file)
        _check_cap_against(file, current.kind, current.amount, cap, today, exclude_pk=current.pk)
        now = timezone.now()
        if current.needs_city and level == DISTRICT:
            fund.spent = Fund.objects.unscoped().filter(pk=fund.pk).values_list("spent", flat=True).get()
            _check_budget(fund, current.amount)  # tell the district now; the city's approval pays
            current.status = AidPayment.Status.AWAITING_CITY
            current.reviewed_by, current.reviewed_at = _person(by), now
            current.save(update_fields=["status", "reviewed_by", "reviewed_at"])
            record(by, AuditEntry.Action.WORKFLOW, current, node=seen.union, event="hardship.aid_forwarded",
                   changes={"status": [AidPayment.Status.PENDING, current.status]},
                   extra={"note": note} if note else None)
            return current
        old_status = current.status
        current.status = AidPayment.Status.PAID
        current.approved_by, current.approved_at, current.paid_on = _person(by), now, today
        record_service(worker=file.worker, kind=KIND_AID_PAID, app="hardship", source=current,
                       title=_("困难职工%(kind)s") % {"kind": current.get_kind_display()},
                       delivering_union=fund.union, amount=current.amount, delivered_on=today, by=by)
        record(by, AuditEntry.Action.WORKFLOW, current, node=seen.union, event="hardship.aid_paid",
               changes={"status": [old_status, current.status]},
               extra={"fund": fund.pk, "amount": str(current.amount), **({"note": note} if note else {})})
        current.save(update_fields=["status", "approved_by", "approved_at", "paid_on"])
        charged = (Fund.objects.unscoped().filter(pk=fund.pk, spent__lte=F("budget") - current.amount)
                   .update(spent=F("spent") + current.amount, updated_at=now))
        if not charged:
            fund.spent = Fund.objects.unscoped().filter(pk=fund.pk).values_list("spent", flat=True).get()
            _check_budget(fund, current.amount)  # raises: the transaction is undone
            raise ValidationError(_("资金余额不足，请改用其他资金或减少金额。"), code="over_budget")
    return current


def reject_aid(payment: AidPayment, *, reason: str, by) -> AidPayment:
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": [_("请填写不予批准的理由，申请的工会会看到它。")]})
    if len(reason) > 500:
        raise ValidationError({"reason": [_("理由最多500个字。")]})
    with transaction.atomic():
        current = _lock_payment(payment)
        _refuse_decided(current)
        _approver_level(current, by)
        old_status = current.status
        current.status = AidPayment.Status.REJECTED
        current.rejected_by, current.rejected_at, current.rejection_reason = _person(by), timezone.now(), reason
        current.save(update_fields=["status", "rejected_by", "rejected_at", "rejection_reason"])
        record(by, AuditEntry.Action.WORKFLOW, current, node=current.union, event="hardship.aid_rejected",
               changes={"status": [old_status, current.status]}, extra={"reason": reason})
    return current


def may_decide(user, payment: AidPayment, levels: list[tuple[str, str]] | None = None) -> bool:
    """Whether the page offers ``user`` the approve and reject buttons for this payment (pass
    ``approver_levels(user)`` when asking for many rows)."""
    if not payment.is_open:
        return False
    if levels is None:
        level = approval_level(user, payment.node_path)
    else:
        level = CITY if getattr(user, "is_superuser", False) else level_at(levels, payment.node_path)
    if level is None or not has_permission(user, APPROVE, payment.fund.node_path):
        return False
    return not (payment.status == AidPayment.Status.AWAITING_CITY and level != CITY)


def aid_summary(file, *, year: int | None = None) -> list[dict]:
    """Per kind of aid for this year: cap, paid, left, for the file's block."""
    year = year or _today().year
    start, end = _year_range(year)
    paid = dict(AidPayment.objects.unscoped()
                .filter(file=file, status=AidPayment.Status.PAID, paid_on__gte=start, paid_on__lt=end)
                .order_by().values("kind").annotate(total=Sum("amount")).values_list("kind", "total"))
    rows = []
    on = datetime.date(year, 12, 31) if year < _today().year else _today()
    for kind, label in AidKind.choices:
        cap = aid_cap(file, kind, on) if file.category else None
        used = paid.get(kind) or Decimal("0")
        rows.append({"kind": kind, "label": label, "cap": cap, "paid": used,
                     "left": max(cap - used, Decimal("0")) if cap is not None else None,
                     "share": int(used * 100 / cap) if cap else 0})
    return rows


# ----- assistance plans -----

def _require_change(file, by, message: str) -> None:
    if by is not None and not has_permission(by, CHANGE, file.node_path):
        raise PermissionDenied(message)


def _clean_date(value, field: str, label: str, errors: dict, *, required: bool = True,
                not_future: bool = False, not_before: datetime.date | None = None):
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(_("请填写%(label)s。") % {"label": label})
        return None
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            errors.setdefault(field, []).append(_("请按2026-11-25的格式填写%(label)s。") % {"label": label})
            return None
    if value < EARLIEST or value.year > _today().year + 10:
        errors.setdefault(field, []).append(_("%(label)s不在合理范围内，请核对。") % {"label": label})
        return None
    if not_future and value > _today():
        errors.setdefault(field, []).append(_("%(label)s不能晚于今天。") % {"label": label})
        return None
    if not_before is not None and value < not_before:
        errors.setdefault(field, []).append(
            _("%(label)s不能早于%(date)s。") % {"label": label, "date": not_before.isoformat()})
        return None
    return value


def current_plan(file, *, year: int | None = None) -> AssistancePlan | None:
    year = year or _today().year
    return AssistancePlan.objects.unscoped().filter(file=file, year=year).first()


@transaction.atomic
def save_plan(file, *, goal: str, year: int | None = None, by) -> AssistancePlan:
    """Create or change the household's plan of the year."""
    _require_change(file, by, _("您不能为该档案制定帮扶计划。"))
    _check_registered(file)
    year = year or _today().year
    goal = _text(goal)
    if len(goal) > 2000:
        raise ValidationError({"goal": [_("帮扶目标最多2000个字。")]})
    plan, created = AssistancePlan.objects.unscoped().get_or_create(
        file=file, year=year, defaults={"goal": goal, "created_by": _person(by)})
    if created:
        record(by, AuditEntry.Action.CREATE, plan, node=file.union, event="hardship.plan_created",
               changes={"year": [None, year], "goal": [None, goal]})
    elif plan.goal != goal:
        record(by, AuditEntry.Action.CHANGE, plan, node=file.union, event="hardship.plan_changed",
               changes={"goal": [plan.goal, goal]})
        plan.goal = goal
        plan.save(update_fields=["goal", "updated_at"])
    return plan


@transaction.atomic
def add_measure(file, *, kind: str, target: str, responsible: str, due_on=None, by) -> PlanMeasure:
    _require_change(file, by, _("您不能为该档案制定帮扶计划。"))
    _check_registered(file)
    errors: dict[str, list[str]] = {}
    if kind not in MeasureKind.values:
        errors.setdefault("kind", []).append(_("请选择帮扶措施。"))
    target, responsible = _text(target), _text(responsible)
    if not target:
        errors.setdefault("target", []).append(_("请写明这项措施要达到的具体目标，如“每月发放生活救助800元”。"))
    elif len(target) > 200:
        errors.setdefault("target", []).append(_("具体目标最多200个字。"))
    if not responsible:
        errors.setdefault("responsible", []).append(_("请填写责任人。"))
    elif len(responsible) > 60:
        errors.setdefault("responsible", []).append(_("责任人最多60个字。"))
    due_on = _clean_date(due_on, "due_on", _("完成时限"), errors, required=False)
    if errors:
        raise ValidationError(errors)
    plan = current_plan(file) or save_plan(file, goal="", by=by)
    measure = PlanMeasure.objects.create(plan=plan, kind=kind, target=target, responsible=responsible,
                                         due_on=due_on)
    record(by, AuditEntry.Action.CREATE, measure, node=file.union, event="hardship.measure_added",
           changes={"kind": [None, kind], "target": [None, target], "responsible": [None, responsible],
                    "due_on": [None, due_on.isoformat() if due_on else None]})
    return measure


@transaction.atomic
def update_measure(measure: PlanMeasure, *, status: str, note: str = "", done_on=None, by) -> PlanMeasure:
    file = measure.plan.file
    _require_change(file, by, _("您不能修改该档案的帮扶计划。"))
    errors: dict[str, list[str]] = {}
    if status not in PlanMeasure.Status.values:
        errors.setdefault("status", []).append(_("请选择进展：未开始、进行中、已完成或已取消。"))
    note = _text(note)
    if len(note) > 300:
        errors.setdefault("note", []).append(_("进展说明最多300个字。"))
    if status == PlanMeasure.Status.DONE:
        done_on = _clean_date(done_on, "done_on", _("完成日期"), errors, required=False, not_future=True) or _today()
    else:
        done_on = None
    if status == PlanMeasure.Status.CANCELLED and not note:
        errors.setdefault("note", []).append(_("取消一项措施时请说明原因。"))
    if errors:
        raise ValidationError(errors)
    before = snapshot(measure, ["status", "note", "done_on"])
    measure.status, measure.note, measure.done_on = status, note, done_on
    measure.save(update_fields=["status", "note", "done_on"])
    changes = diff(before, snapshot(measure, ["status", "note", "done_on"]))
    if changes:
        record(by, AuditEntry.Action.CHANGE, measure, node=file.union, event="hardship.measure_changed",
               changes=changes)
    return measure


# ----- pairing -----

def contact_days(file) -> int:
    return int(policy.param(file.union, "pairing_contact_days"))


def _due(pairing: Pairing, days: int) -> datetime.date:
    return (pairing.last_contact_on or pairing.started_on) + datetime.timedelta(days=days)


PAIRING_TEXT = {"helper_name": 100, "helper_contact": 60, "helper_unit": 200, "note": 300}


@transaction.atomic
def start_pairing(file, *, helper_kind: str, helper_name: str, helper_contact: str = "", helper_unit: str = "",
                  started_on=None, note: str = "", by) -> Pairing:
    _require_change(file, by, _("您不能为该档案安排结对帮扶。"))
    _check_registered(file)
    errors: dict[str, list[str]] = {}
    if helper_kind not in Pairing.HelperKind.values:
        errors.setdefault("helper_kind", []).append(_("请选择帮扶人类别：工会干部、劳动模范或爱心企业。"))
    values = {"helper_name": _text(helper_name), "helper_contact": _text(helper_contact),
              "helper_unit": _text(helper_unit), "note": _text(note)}
    for name, limit in PAIRING_TEXT.items():
        if len(values[name]) > limit:
            errors.setdefault(name, []).append(_("最多%(n)d个字。") % {"n": limit})
    if not values["helper_name"]:
        errors.setdefault("helper_name", []).append(_("请填写帮扶人姓名或企业名称。"))
    started_on = _clean_date(started_on or _today(), "started_on", _("结对日期"), errors, not_future=True)
    if errors:
        raise ValidationError(errors)
    if Pairing.objects.unscoped().filter(file=file, ended_on__isnull=True,
                                         helper_name=values["helper_name"]).exists():
        raise ValidationError({"helper_name": [_("%(name)s已与该户结对，不必重复登记。") % {"name": values["helper_name"]}]})
    pairing = Pairing(file=file, helper_kind=helper_kind, started_on=started_on, created_by=_person(by), **values)
    pairing.contact_due_on = _due(pairing, contact_days(file))
    pairing.save()
    record(by, AuditEntry.Action.CREATE, pairing, node=file.union, event="hardship.pairing_started",
           changes={"helper_kind": [None, helper_kind], "helper_name": [None, values["helper_name"]],
                    "started_on": [None, started_on.isoformat()]})
    return pairing


def log_contact(pairing: Pairing, *, contacted_on, way: str, help_given: str, value=None, by) -> PairingContact:
    """Record one contact (and the help given). Help with a value is a service to the household: it
    is written to the ledger."""
    file = pairing.file
    _require_change(file, by, _("您不能为该结对登记联系记录。"))
    errors: dict[str, list[str]] = {}
    if way not in PairingContact.Way.values:
        errors.setdefault("way", []).append(_("请选择联系方式。"))
    help_given = _text(help_given)
    if not help_given:
        errors.setdefault("help_given", []).append(_("请写明这次联系了解到的情况或给予的帮扶。"))
    elif len(help_given) > 2000:
        errors.setdefault("help_given", []).append(_("帮扶内容最多2000个字。"))
    contacted_on = _clean_date(contacted_on, "contacted_on", _("联系日期"), errors, not_future=True,
                               not_before=pairing.started_on)
    if value in (None, ""):
        value = None
    else:
        try:
            value = parse_money(value, field_label=_("折合金额"), allow_zero=True)
        except ValidationError as e:
            errors.setdefault("value", []).extend(e.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Pairing.objects.unscoped().select_for_update().get(pk=pairing.pk)
        if current.ended_on is not None:
            raise ValidationError(_("该结对已于%(date)s结束，不能再登记联系。") % {"date": current.ended_on.isoformat()})
        contact = PairingContact.objects.create(pairing=current, contacted_on=contacted_on, way=way,
                                                help_given=help_given, value=value, created_by=_person(by))
        if current.last_contact_on is None or contacted_on > current.last_contact_on:
            current.last_contact_on = contacted_on
        current.contact_due_on = _due(current, contact_days(file))
        current.save(update_fields=["last_contact_on", "contact_due_on"])
        if value:
            record_service(worker=file.worker, kind=KIND_PAIRING_HELP, app="hardship", source=contact,
                           title=_("结对帮扶：%(help)s") % {"help": help_given[:60]}, delivering_union=file.union,
                           amount=value, delivered_on=contacted_on, by=by)
        record(by, AuditEntry.Action.CREATE, contact, node=file.union, event="hardship.pairing_contact",
               changes={"contacted_on": [None, contacted_on.isoformat()], "way": [None, way],
                        "value": [None, str(value) if value is not None else None]})
    pairing.last_contact_on, pairing.contact_due_on = current.last_contact_on, current.contact_due_on
    return contact


@transaction.atomic
def end_pairing(pairing: Pairing, *, ended_on=None, reason: str, by) -> Pairing:
    file = pairing.file
    _require_change(file, by, _("您不能结束该结对。"))
    errors: dict[str, list[str]] = {}
    reason = _text(reason)
    if not reason:
        errors.setdefault("end_reason", []).append(_("请填写结束结对的原因，如“该户已脱困”。"))
    elif len(reason) > 200:
        errors.setdefault("end_reason", []).append(_("结束原因最多200个字。"))
    ended_on = _clean_date(ended_on or _today(), "ended_on", _("结束日期"), errors, not_future=True,
                           not_before=pairing.started_on)
    if pairing.ended_on is not None:
        errors.setdefault("ended_on", []).append(_("该结对已经结束。"))
    if errors:
        raise ValidationError(errors)
    pairing.ended_on, pairing.end_reason = ended_on, reason
    pairing.save(update_fields=["ended_on", "end_reason"])
    record(by, AuditEntry.Action.CHANGE, pairing, node=file.union, event="hardship.pairing_ended",
           changes={"ended_on": [None, ended_on.isoformat()], "end_reason": ["", reason]})
    return pairing


def refresh_contact_due() -> dict:
    """Recompute every active pairing's contact due date under the policy in force (a policy change
    of pairing_contact_days applies from the next run); returns counts."""
    days_by_union: dict[int, int] = {}
    changed = 0
    active = Pairing.objects.unscoped().filter(ended_on__isnull=True).select_related("file__union")
    for pairing in active.iterator(chunk_size=2000):
        union = pairing.file.union
        if union.pk not in days_by_union:
            days_by_union[union.pk] = contact_days(pairing.file)
        due = _due(pairing, days_by_union[union.pk])
        if due != pairing.contact_due_on:
            Pairing.objects.unscoped().filter(pk=pairing.pk).update(contact_due_on=due)
            changed += 1
    overdue = Pairing.objects.unscoped().filter(ended_on__isnull=True, contact_due_on__lt=_today()).count()
    return {"changed": changed, "overdue": overdue}


@task()
def refresh_pairing_flags():
    """The daily job behind the pairing list's "no contact for N days" flag."""
    return refresh_contact_due()
