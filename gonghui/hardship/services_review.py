"""Rules and writes of the yearly review, exits (解困脱困), other closures, follow-ups and reopening
(防返困). Every write is atomic and audited; ``by`` is the acting staff user (None: the system, which
skips the permission checks views and the API rely on).

The exit rule (by default): the household's income per person was above the local minimum living
standard (低保标准, the policy in force in each month) for ``exit_months`` (6) consecutive calendar
months — a month without a record, or at or below the standard, resets the count — and the run
ends in the current or the previous month. A household taken into the government safety net
(纳入政府兜底保障) may exit without the rule.
"""

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record, snapshot
from gonghui.core.scope import has_permission
from gonghui.hardship import policy
from gonghui.hardship.models import Exit, FollowUp, HardshipFile, MonthlyIncome, Review

VIEW, CHANGE, APPROVE = "hardship.view", "hardship.change", "hardship.approve"
Status = HardshipFile.Status
MAX_MONTHLY_INCOME = Decimal("1000000")  # a household's month above this is a typing error
MAX_HOUSEHOLD = 30
EARLIEST = datetime.date(2000, 1, 1)
FILE_FIELDS = ["status", "category", "assessment_id", "registered_on", "exited_on", "closed_on", "closed_reason",
               "next_review_due"]


# ----- small helpers -----

def today() -> datetime.date:
    return timezone.localdate()


def month_start(d: datetime.date) -> datetime.date:
    return d.replace(day=1)


def add_months(d: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    total = d.year * 12 + d.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    return datetime.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _check(by, permission: str, file: HardshipFile) -> None:
    if by is not None and not has_permission(by, permission, file.node_path):
        raise PermissionDenied


def _date(value, name: str, *, not_before=None, label: str) -> datetime.date:
    if value is None or value == "":
        raise ValidationError({name: [_("请填写%(label)s。") % {"label": label}]})
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise ValidationError({name: [_("%(label)s格式不正确，请按 2026-01-31 的格式填写。") % {"label": label}]}) from None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if value > today():
        raise ValidationError({name: [_("%(label)s不能晚于今天。") % {"label": label}]})
    if value < EARLIEST:
        raise ValidationError({name: [_("%(label)s过早，请核对。") % {"label": label}]})
    if not_before is not None and value < not_before:
        raise ValidationError({name: [_("%(label)s不能早于%(date)s。") % {
            "label": label, "date": f"{not_before:%Y年%-m月%-d日}"}]})
    return value


def _text(value, name: str, *, label: str, required: bool = True, limit: int = 2000) -> str:
    text = (value or "").strip() if isinstance(value, str) else ("" if value is None else str(value).strip())
    if required and not text:
        raise ValidationError({name: [_("请填写%(label)s。") % {"label": label}]})
    if len(text) > limit:
        raise ValidationError({name: [_("%(label)s最多%(n)d个字。") % {"label": label, "n": limit}]})
    return text


def _locked(file: HardshipFile) -> HardshipFile:
    """The file's row, locked for this transaction (on SQLite the write transaction serialises)."""
    return HardshipFile.objects.unscoped().select_for_update().select_related("union", "worker").get(pk=file.pk)


def _audit(by, file: HardshipFile, before: dict, event: str, extra=None) -> None:
    after = snapshot(file, FILE_FIELDS)
    record(by, AuditEntry.Action.CHANGE, file, event=event,
           changes={k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)},
           extra=extra or {})


def _review_every(file: HardshipFile, on: datetime.date) -> int:
    return int(policy.param(file.union, "review_every_months", on))


def _assess(file: HardshipFile, by, on: datetime.date):
    from gonghui.hardship import services_core

    return services_core.assess(file, by=by, on=on)


# ----- monthly incomes and the exit rule -----

def _money(value, name: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", "")) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError({name: [_("请填写%(label)s，以元为单位的数字。") % {"label": label}]})
    if amount < 0:
        raise ValidationError({name: [_("%(label)s不能为负数。") % {"label": label}]})
    if amount > MAX_MONTHLY_INCOME:
        raise ValidationError({name: [_("%(label)s超过100万元，请核对是否多填了位数。") % {"label": label}]})
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def record_monthly_income(file: HardshipFile, *, month, household_income, household_size=None, note: str = "",
                          by) -> MonthlyIncome:
    """Record (or correct) one month's household income; the per-person figure is computed."""
    _check(by, CHANGE, file)
    file = _locked(file)
    if file.status not in (Status.REGISTERED, Status.EXITED):
        raise ValidationError(_("只有在档或已脱困的档案才能登记月收入。"))
    if isinstance(month, str) and len(month) == 7:
        month = f"{month}-01"
    month = month_start(_date(month, "month", label=_("月份")))
    income = _money(household_income, "household_income", _("家庭月收入"))
    try:
        size = int(household_size) if household_size not in (None, "") else file.household_size
    except (TypeError, ValueError):
        size = 0
    if not 1 <= size <= MAX_HOUSEHOLD:
        raise ValidationError({"household_size": [_("家庭人口应在1到%(n)d人之间。") % {"n": MAX_HOUSEHOLD}]})
    note = _text(note, "note", label=_("说明"), required=False, limit=200)
    per_capita = (income / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    row = MonthlyIncome.objects.unscoped().filter(file=file, month=month).first()
    creating = row is None
    before = {} if creating else snapshot(row, ["household_income", "household_size", "per_capita", "note"])
    if creating:
        row = MonthlyIncome(file=file, month=month)
    row.household_income, row.household_size, row.per_capita, row.note, row.by = income, size, per_capita, note, by
    row.save()
    after = snapshot(row, ["household_income", "household_size", "per_capita", "note"])
    record(by, AuditEntry.Action.CREATE if creating else AuditEntry.Action.CHANGE, row,
           node=file.union, event="hardship.monthly_income",
           changes={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v})
    return row


@dataclass
class ExitRule:
    holds: bool
    needed: int
    run: int  # consecutive months above the standard, ending at the latest month counted
    months: list = field(default_factory=list)  # [{"month", "per_capita", "standard", "above"}], newest first
    message: str = ""

    def evidence(self) -> dict:
        return {"needed": self.needed, "run": self.run, "months": [
            {k: (v.isoformat() if isinstance(v, datetime.date) else str(v) if isinstance(v, Decimal) else v)
             for k, v in m.items()} for m in self.months]}


def exit_rule(file: HardshipFile, on: datetime.date | None = None) -> ExitRule:
    """Whether the income rule of exit holds on ``on``: see the module's docstring."""
    on = on or today()
    needed = int(policy.param(file.union, "exit_months", on))
    incomes = {m.month: m for m in MonthlyIncome.objects.unscoped().filter(file=file, month__lte=on)
               .order_by("-month")[: needed + 24]}
    if not incomes:
        return ExitRule(False, needed, 0, [], _("尚未登记家庭月收入。"))
    latest = max(incomes)
    months, run, counting = [], 0, True
    current = latest
    standards: dict = {}
    while current in incomes and len(months) < needed + 12:
        row = incomes[current]
        if current not in standards:
            standards[current] = Decimal(str(policy.param(file.union, "min_living_standard",
                                                          add_months(current, 1) - datetime.timedelta(days=1))))
        above = row.per_capita > standards[current]
        months.append({"month": current, "per_capita": row.per_capita, "standard": standards[current],
                       "above": above})
        if counting and above:
            run += 1
        else:
            counting = False
        current = add_months(current, -1)
    recent = latest >= add_months(month_start(on), -1)
    holds = recent and run >= needed
    if holds:
        message = _("家庭人均月收入已连续%(run)d个月超过当地低保标准。") % {"run": run}
    elif not recent:
        message = _("最近一次登记的月收入是%(month)s，请先登记上月或本月的收入。") % {"month": f"{latest:%Y年%-m月}"}
    else:
        message = _("家庭人均月收入连续超过当地低保标准%(run)d个月，需连续%(needed)d个月。") % {
            "run": run, "needed": needed}
    return ExitRule(holds, needed, run, months, message)


# ----- the yearly review -----

def reviews_due(queryset, on: datetime.date | None = None, within_days: int = 30):
    """Registered files whose review falls due within ``within_days`` (overdue ones included)."""
    on = on or today()
    return (queryset.filter(status=Status.REGISTERED, next_review_due__lte=on + datetime.timedelta(days=within_days))
            .order_by("next_review_due", "pk"))


def followups_due(queryset, on: datetime.date | None = None, within_days: int = 30):
    """Follow-ups not yet made that fall due within ``within_days`` (overdue ones included)."""
    on = on or today()
    return (queryset.filter(done_on__isnull=True, cancelled=False,
                            due_on__lte=on + datetime.timedelta(days=within_days))
            .order_by("due_on", "pk"))


DECISIONS = ("keep", "exit", "close")


@transaction.atomic
def review_file(file: HardshipFile, *, situation: str, decision: str = "keep", reason: str = "", note: str = "",
                by, on=None) -> Review:
    """年度复核: record the new situation, re-assess by the policy in force, and decide — keep (the
    category follows the new assessment), exit or close (with ``reason``, as exit_file/close_file)."""
    _check(by, CHANGE, file)
    file = _locked(file)
    if file.status != Status.REGISTERED:
        raise ValidationError(_("只有在档的档案才需要年度复核（当前状态：%(status)s）。") % {"status": file.status_label})
    situation = _text(situation, "situation", label=_("家庭现状"))
    if decision not in DECISIONS:
        raise ValidationError({"decision": [_("请选择复核结论：保持在档、解困脱困或注销档案。")]})
    on = _date(on or today(), "reviewed_on", not_before=file.registered_on, label=_("复核日期"))
    before = snapshot(file, FILE_FIELDS)
    due_on = file.next_review_due
    assessment = _assess(file, by, on)
    file.refresh_from_db()
    category_before = before["category"] or ""
    review = Review(file=file, due_on=due_on, reviewed_on=on, situation=situation, assessment=assessment,
                    category_before=category_before, by=by)
    if decision == "keep":
        new_category = assessment.category
        if new_category == HardshipFile.Category.NONE:
            # No longer below the lines but the exit rule not (yet) met: the household stays in the
            # file with its category, to be checked again (monthly incomes decide the exit).
            new_category = category_before or new_category
        file.category = new_category
        file.assessment = assessment
        file.next_review_due = add_months(on, _review_every(file, on))
        file.save(update_fields=["category", "assessment", "next_review_due", "updated_at"])
        review.category_after = new_category
        review.outcome = Review.Outcome.KEEP if new_category == category_before else Review.Outcome.CHANGE
        review.next_review_due = file.next_review_due
        review.save()
        _audit(by, file, before, "hardship.reviewed", {"review": review.pk, "outcome": review.outcome})
        return review
    review.category_after = category_before
    review.outcome = Review.Outcome.EXIT if decision == "exit" else Review.Outcome.CLOSE
    review.save()
    if decision == "exit":
        exit_file(file, reason=reason, note=note or situation, by=by, on=on, _review=review)
    else:
        close_file(file, reason=reason, note=note or situation, by=by, on=on, _review=review)
    return review


# ----- exit, closure, follow-ups, reopening -----

def _end_period(file, *, kind, reason, note, by, on, evidence) -> Exit:
    return Exit.objects.create(file=file, kind=kind, reason=reason, note=note, union=file.union,
                               node_path=file.node_path, registered_on=file.registered_on, ended_on=on,
                               category=file.category, evidence=evidence, by=by)


@transaction.atomic
def exit_file(file: HardshipFile, *, reason: str, note: str = "", by, on=None, _review=None) -> Exit:
    """解困脱困: the file leaves the registry because the household is out of hardship — by the
    income rule (``income``) or taken into the government safety net (``safety_net``). Schedules
    the follow-ups at ``followup_months`` after the exit."""
    _check(by, CHANGE, file)
    file = _locked(file)
    if file.status != Status.REGISTERED:
        raise ValidationError(_("只有在档的档案才能办理解困脱困（当前状态：%(status)s）。") % {"status": file.status_label})
    if reason not in Exit.EXIT_REASONS:
        raise ValidationError({"reason": [_("请选择脱困原因：家庭人均收入连续超过当地低保标准，或纳入政府兜底保障。")]})
    on = _date(on or today(), "exited_on", not_before=file.registered_on, label=_("脱困日期"))
    note = _text(note, "note", label=_("脱困情况说明"), required=reason == Exit.Reason.SAFETY_NET)
    if reason == Exit.Reason.INCOME:
        rule = exit_rule(file, on)
        if not rule.holds:
            raise ValidationError({"reason": [
                _("不符合脱困条件：%(why)s如已纳入政府兜底保障，请选择“纳入政府兜底保障”并说明情况。") % {"why": rule.message}]})
        evidence = rule.evidence()
    else:
        evidence = {"safety_net": note}
    before = snapshot(file, FILE_FIELDS)
    exit_row = _end_period(file, kind=Exit.Kind.EXIT, reason=reason, note=note, by=by, on=on, evidence=evidence)
    file.status = Status.EXITED
    file.exited_on = on
    file.closed_reason = str(Exit.Reason(reason).label)
    file.next_review_due = None
    file.save(update_fields=["status", "exited_on", "closed_reason", "next_review_due", "updated_at"])
    months = policy.param(file.union, "followup_months", on)
    FollowUp.objects.bulk_create([FollowUp(file=file, exit=exit_row, months=int(m), due_on=add_months(on, int(m)))
                                  for m in sorted({int(m) for m in months})])
    _audit(by, file, before, "hardship.exited", {"exit": exit_row.pk, "reason": reason,
                                                 "review": _review.pk if _review else None})
    return exit_row


@transaction.atomic
def close_file(file: HardshipFile, *, reason: str, note: str = "", by, on=None, _review=None) -> Exit:
    """注销: the file is closed for another reason (retired, left the area, deceased, an
    identification error). Not an exit: it does not count in the exit rate's numerator."""
    _check(by, CHANGE, file)
    file = _locked(file)
    if file.status != Status.REGISTERED:
        raise ValidationError(_("只有在档的档案才能注销（当前状态：%(status)s）。") % {"status": file.status_label})
    if reason not in Exit.CLOSE_REASONS:
        raise ValidationError({"reason": [_("请选择注销原因：退休、调离或离开本地、死亡或认定错误。")]})
    on = _date(on or today(), "closed_on", not_before=file.registered_on, label=_("注销日期"))
    note = _text(note, "note", label=_("注销情况说明"))
    before = snapshot(file, FILE_FIELDS)
    exit_row = _end_period(file, kind=Exit.Kind.CLOSE, reason=reason, note=note, by=by, on=on, evidence={})
    file.status = Status.CLOSED
    file.closed_on = on
    file.closed_reason = str(Exit.Reason(reason).label)
    file.next_review_due = None
    file.save(update_fields=["status", "closed_on", "closed_reason", "next_review_due", "updated_at"])
    _audit(by, file, before, "hardship.closed", {"exit": exit_row.pk, "reason": reason,
                                                 "review": _review.pk if _review else None})
    return exit_row


@transaction.atomic
def record_followup(followup: FollowUp, *, finding: str, notes: str, by, on=None) -> FollowUp:
    """A follow-up of an exited household: date, who, what was found."""
    file = followup.file
    _check(by, CHANGE, file)
    followup = FollowUp.objects.unscoped().select_for_update().select_related("exit").get(pk=followup.pk)
    if followup.cancelled:
        raise ValidationError(_("该回访已取消（档案已恢复在档），无需再登记。"))
    if finding not in FollowUp.Finding.values:
        raise ValidationError({"finding": [_("请选择回访结论：生活稳定、有返困风险或已返困。")]})
    notes = _text(notes, "notes", label=_("回访情况"))
    on = _date(on or today(), "done_on", not_before=followup.exit.ended_on, label=_("回访日期"))
    before = snapshot(followup, ["done_on", "finding", "notes", "by_id"])
    followup.done_on, followup.finding, followup.notes, followup.by = on, finding, notes, by
    followup.save(update_fields=["done_on", "finding", "notes", "by"])
    after = snapshot(followup, ["done_on", "finding", "notes", "by_id"])
    record(by, AuditEntry.Action.CHANGE, followup, node=file.union, event="hardship.followup",
           changes={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v})
    return followup


@transaction.atomic
def reopen_file(file: HardshipFile, *, situation: str, by, on=None) -> Exit:
    """防返困: a household that exited has returned to hardship. The file is registered again from
    ``on`` with a new assessment; the exit stays on record (marked reopened) and its period still
    counts in the figures of its years. Refused when the new assessment finds no hardship."""
    _check(by, CHANGE, file)
    file = _locked(file)
    if file.status != Status.EXITED:
        raise ValidationError(_("只有已脱困的档案才能因返困恢复在档（当前状态：%(status)s）。") % {
            "status": file.status_label})
    situation = _text(situation, "situation", label=_("返困情况"))
    exit_row = (Exit.objects.unscoped().select_for_update().filter(file=file, kind=Exit.Kind.EXIT,
                                                                   reopened_on__isnull=True)
                .order_by("-ended_on", "-pk").first())
    on = _date(on or today(), "reopened_on", not_before=file.exited_on, label=_("恢复在档日期"))
    if HardshipFile.objects.unscoped().filter(worker=file.worker_id, status__in=HardshipFile.ACTIVE).exclude(
            pk=file.pk).exists():
        raise ValidationError(_("该户主已有一份在办或在档的档案，不能再恢复这份档案；请在那份档案中办理。"))
    before = snapshot(file, FILE_FIELDS)
    assessment = _assess(file, by, on)
    if assessment.category == HardshipFile.Category.NONE:
        raise ValidationError(_("按现行标准重新评估，该户不符合困难职工家庭条件（家庭月人均收入%(income)s元），"
                                "不能恢复在档。请先核实并更新家庭收入和支出信息。") % {
            "income": assessment.per_capita_monthly_income})
    file.refresh_from_db()
    if exit_row is not None:
        exit_row.reopened_on, exit_row.reopen_reason, exit_row.reopened_by = on, situation, by
        exit_row.save(update_fields=["reopened_on", "reopen_reason", "reopened_by"])
        FollowUp.objects.unscoped().filter(exit=exit_row, done_on__isnull=True).update(cancelled=True)
    file.status = Status.REGISTERED
    file.registered_on = on
    file.exited_on = None
    file.closed_reason = ""
    file.assessment = assessment
    file.category = assessment.category
    file.next_review_due = add_months(on, _review_every(file, on))
    file.save(update_fields=["status", "registered_on", "exited_on", "closed_reason", "assessment", "category",
                             "next_review_due", "updated_at"])
    _audit(by, file, before, "hardship.reopened", {"exit": exit_row.pk if exit_row else None,
                                                   "assessment": assessment.pk, "situation": situation})
    return exit_row


# ----- reminders (a periodic job, daily) -----

REVIEW_NOTICE_DAYS = 30  # a review is announced this many days before it falls due
FOLLOWUP_NOTICE_DAYS = 7


def _staff_for(union_paths: set[str]) -> dict[str, list]:
    """For each union path, the staff holding hardship.change at the nearest level that has any:
    the grassroots union's own staff, else its district's, and so on up."""
    from gonghui.accounts.models import Grant
    from gonghui.accounts.roles import permissions_of

    wanted = set()
    for path in union_paths:
        wanted.update(path[:i] for i in range(4, len(path) + 1, 4))
    by_path: dict[str, list] = {}
    for grant in (Grant.objects.unscoped().filter(node__path__in=wanted, node__active=True, user__is_active=True)
                  .select_related("user", "node")):
        if CHANGE in permissions_of(grant.role):
            by_path.setdefault(grant.node.path, []).append(grant.user)
    result = {}
    for path in union_paths:
        for i in range(len(path), 0, -4):
            if path[:i] in by_path:
                result[path] = by_path[path[:i]]
                break
    return result


def send_due_reminders(on: datetime.date | None = None) -> dict:
    """Tell each union's hardship staff, once, of the reviews falling due within 30 days and the
    follow-ups within 7 days (overdue ones included): one message per person and kind."""
    from django.urls import reverse

    from gonghui.hardship.models import DueNotice
    from gonghui.notifications.services import notify_bulk

    on = on or today()
    sent = {"review": 0, "followup": 0}
    with transaction.atomic():
        files = HardshipFile.objects.unscoped()
        reviews = [(f.pk, f.node_path, f.next_review_due) for f in reviews_due(files, on, REVIEW_NOTICE_DAYS)
                   .only("pk", "node_path", "next_review_due")]
        followups = [(fu.file_id, fu.file.node_path, fu.due_on) for fu in
                     followups_due(FollowUp.objects.unscoped(), on, FOLLOWUP_NOTICE_DAYS).select_related("file")]
        messages = []
        for kind, rows, key in (("review", reviews, "hardship.reviews_due"),
                                ("followup", followups, "hardship.followups_due")):
            if not rows:
                continue
            done = set(DueNotice.objects.unscoped().filter(kind=kind, file__in={r[0] for r in rows})
                       .values_list("file_id", "due_on"))
            fresh = [r for r in rows if (r[0], r[2]) not in done]
            if not fresh:
                continue
            DueNotice.objects.bulk_create([DueNotice(kind=kind, file_id=r[0], due_on=r[2]) for r in fresh],
                                          ignore_conflicts=True)
            staff = _staff_for({r[1] for r in fresh})
            per_user: dict = {}
            for _file_id, path, due in fresh:
                for user in staff.get(path, []):
                    entry = per_user.setdefault(user.pk, [user, 0, due])
                    entry[1] += 1
                    entry[2] = min(entry[2], due)
            link = reverse("hardship:reviews") + ("?tab=followups" if kind == "followup" else "")
            for user, count, earliest in per_user.values():
                messages.append((user, key, {"count": count, "earliest": f"{earliest:%Y年%-m月%-d日}"}, link))
            sent[kind] = len(fresh)
        notify_bulk(messages)
    return sent


@task()
def send_review_reminders():
    """The daily job: reminders of reviews and follow-ups falling due (see send_due_reminders)."""
    return send_due_reminders()


# ----- aid tallies for the figures (kept by signals on AidPayment, see apps_review) -----

def _paid_key(values: dict | None):
    """(union, path, year, kind, fund) and amount of a payment that counts as paid, else None."""
    if not values or values.get("status") != "paid" or not values.get("paid_on"):
        return None
    return ((values["union_id"], values["node_path"], values["paid_on"].year, values["kind"], values["fund_id"]),
            values["amount"])


def _bump(key, amount, count) -> None:
    from django.db import IntegrityError
    from django.db.models import F

    from gonghui.hardship.models import AidTally

    union_id, path, year, kind, fund_id = key
    rows = AidTally.objects.unscoped().filter(union_id=union_id, year=year, kind=kind, fund_id=fund_id)
    if rows.update(amount=F("amount") + amount, count=F("count") + count):
        return
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin may create the row first
            AidTally.objects.create(union_id=union_id, node_path=path, year=year, kind=kind, fund_id=fund_id,
                                    amount=amount, count=count)
    except IntegrityError:
        rows.update(amount=F("amount") + amount, count=F("count") + count)


TALLY_FIELDS = ("status", "paid_on", "union_id", "node_path", "kind", "fund_id", "amount")


def tally_values(payment) -> dict:
    return {f: getattr(payment, f) for f in TALLY_FIELDS}


def tally_change(before: dict | None, after: dict | None) -> None:
    """Move a payment's contribution from what it was to what it is (either may be None)."""
    old, new = _paid_key(before), _paid_key(after)
    if old == new:
        return
    if old is not None:
        _bump(old[0], -Decimal(old[1]), -1)
    if new is not None:
        _bump(new[0], Decimal(new[1]), 1)


@transaction.atomic
def rebuild_aid_tallies() -> int:
    """Recount every tally from the payments (after a bulk load); returns the number of rows."""
    from django.db.models import Count, Sum
    from django.db.models.functions import ExtractYear

    from gonghui.hardship.models import AidPayment, AidTally

    AidTally.objects.unscoped().all().delete()
    rows = (AidPayment.objects.unscoped().filter(status="paid", paid_on__isnull=False).order_by()
            .annotate(year=ExtractYear("paid_on")).values("union_id", "node_path", "year", "kind", "fund_id")
            .annotate(total=Sum("amount"), n=Count("pk")))
    AidTally.objects.bulk_create([AidTally(union_id=r["union_id"], node_path=r["node_path"], year=r["year"],
                                           kind=r["kind"], fund_id=r["fund_id"], amount=r["total"], count=r["n"])
                                  for r in rows], batch_size=2000)
    return AidTally.objects.unscoped().count()
