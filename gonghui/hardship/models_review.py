"""Models of the hardship app's review part (imported by models.py): the yearly review, monthly
household incomes, exits and other closures, follow-ups after an exit, and the reminders sent.

Every row belongs to a file and is scoped through it (``file__node_path``). A file's status is
changed only by the functions in services_review.py, each audited.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager

__all__ = ["AidTally", "DueNotice", "Exit", "FollowUp", "MonthlyIncome", "Review"]


class Review(models.Model):
    """年度复核: the new situation, a fresh assessment and what was decided."""

    class Outcome(models.TextChoices):
        KEEP = "keep", _("保持在档")
        CHANGE = "change", _("调整困难类别")
        EXIT = "exit", _("解困脱困")
        CLOSE = "close", _("注销档案")

    file = models.ForeignKey("hardship.HardshipFile", on_delete=models.CASCADE, related_name="reviews",
                             verbose_name=_("档案"))
    due_on = models.DateField(_("应复核日期"), null=True, blank=True)
    reviewed_on = models.DateField(_("复核日期"))
    situation = models.TextField(_("家庭现状"))
    assessment = models.ForeignKey("hardship.Assessment", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("复核时的评估"))
    category_before = models.CharField(_("复核前类别"), max_length=20, blank=True)
    category_after = models.CharField(_("复核后类别"), max_length=20, blank=True)
    outcome = models.CharField(_("复核结论"), max_length=10, choices=Outcome.choices)
    next_review_due = models.DateField(_("下次复核日期"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("复核人"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "file__node_path"

    class Meta:
        verbose_name = _("年度复核")
        verbose_name_plural = _("年度复核")
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_id} {self.reviewed_on} {self.get_outcome_display()}"

    @staticmethod
    def _label(code: str) -> str:
        from gonghui.hardship.models_core import HardshipFile

        return str(HardshipFile.Category(code).label) if code in HardshipFile.Category.values else ""

    @property
    def category_before_label(self) -> str:
        return self._label(self.category_before)

    @property
    def category_after_label(self) -> str:
        return self._label(self.category_after)


class MonthlyIncome(models.Model):
    """家庭月收入: one month's household income, for the exit rule (per person per month)."""

    file = models.ForeignKey("hardship.HardshipFile", on_delete=models.CASCADE, related_name="monthly_incomes",
                             verbose_name=_("档案"))
    month = models.DateField(_("月份"))  # the first day of the month
    household_income = models.DecimalField(_("家庭月收入（元）"), max_digits=12, decimal_places=2)
    household_size = models.PositiveSmallIntegerField(_("家庭人口"))
    per_capita = models.DecimalField(_("人均月收入（元）"), max_digits=12, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "file__node_path"

    class Meta:
        verbose_name = _("家庭月收入")
        verbose_name_plural = _("家庭月收入")
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["file", "month"], name="hardship_one_income_per_month")]

    def __str__(self) -> str:
        return f"{self.file_id} {self.month:%Y-%m} {self.per_capita}"


class Exit(models.Model):
    """A file leaving the registry: 解困脱困 (an exit) or another closure (注销).

    The row keeps the registration period it ended (``registered_on`` … ``ended_on``), so when a
    file is reopened (防返困) the past period still counts in the figures of its years."""

    class Kind(models.TextChoices):
        EXIT = "exit", _("解困脱困")
        CLOSE = "close", _("注销")

    class Reason(models.TextChoices):
        INCOME = "income", _("家庭人均收入连续超过当地低保标准")
        SAFETY_NET = "safety_net", _("纳入政府兜底保障")
        RETIRED = "retired", _("退休")
        MOVED = "moved", _("调离或离开本地")
        DECEASED = "deceased", _("死亡")
        MISIDENTIFIED = "misidentified", _("认定错误")

    EXIT_REASONS = (Reason.INCOME, Reason.SAFETY_NET)
    CLOSE_REASONS = (Reason.RETIRED, Reason.MOVED, Reason.DECEASED, Reason.MISIDENTIFIED)

    file = models.ForeignKey("hardship.HardshipFile", on_delete=models.CASCADE, related_name="exits",
                             verbose_name=_("档案"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("原因"), max_length=20, choices=Reason.choices)
    note = models.TextField(_("说明"), blank=True)
    # The registration period this ended (copied, so a reopened file's past stays countable).
    union = models.ForeignKey("orgs.UnionNode", on_delete=models.PROTECT, related_name="+")
    node_path = models.CharField(max_length=255, editable=False)
    registered_on = models.DateField(_("在档日期"), null=True)
    ended_on = models.DateField(_("脱困/注销日期"))
    category = models.CharField(_("当时类别"), max_length=20, blank=True)
    # What the exit rule saw: the months counted, the standard, or why it did not apply.
    evidence = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("经办人"))
    created_at = models.DateTimeField(auto_now_add=True)
    # 防返困: set when the household returned to hardship and the file was reopened.
    reopened_on = models.DateField(_("返困恢复日期"), null=True, blank=True)
    reopen_reason = models.TextField(_("返困情况"), blank=True)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    objects = ScopedManager()
    scope_path = "node_path"
    scope_node = "union"

    class Meta:
        verbose_name = _("脱困/注销记录")
        verbose_name_plural = _("脱困/注销记录")
        ordering = ["-ended_on", "-pk"]
        indexes = [models.Index(fields=["node_path", "ended_on"], name="hardship_exit_path_date")]

    def __str__(self) -> str:
        return f"{self.file_id} {self.get_kind_display()} {self.ended_on}"


class FollowUp(models.Model):
    """回访: a household that exited is followed up at 3, 6 and 12 months (by default)."""

    class Finding(models.TextChoices):
        STABLE = "stable", _("生活稳定")
        AT_RISK = "at_risk", _("有返困风险")
        RETURNED = "returned", _("已返困")

    file = models.ForeignKey("hardship.HardshipFile", on_delete=models.CASCADE, related_name="followups",
                             verbose_name=_("档案"))
    exit = models.ForeignKey(Exit, on_delete=models.CASCADE, related_name="followups")
    months = models.PositiveSmallIntegerField(_("脱困后月数"))
    due_on = models.DateField(_("应回访日期"), db_index=True)
    done_on = models.DateField(_("回访日期"), null=True, blank=True)
    finding = models.CharField(_("回访结论"), max_length=10, choices=Finding.choices, blank=True)
    notes = models.TextField(_("回访情况"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("回访人"))
    # Set when an exit is undone by a reopening: the follow-ups still open are cancelled.
    cancelled = models.BooleanField(default=False)

    objects = ScopedManager()
    scope_path = "file__node_path"

    class Meta:
        verbose_name = _("脱困回访")
        verbose_name_plural = _("脱困回访")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.file_id} {self.months}个月回访 {self.due_on}"


class DueNotice(models.Model):
    """A reminder already sent for a review or follow-up falling due, so it is sent once."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("年度复核")
        FOLLOWUP = "followup", _("脱困回访")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.ForeignKey("hardship.HardshipFile", on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "file__node_path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "file", "due_on"], name="hardship_one_notice_per_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_id} {self.due_on}"


class AidTally(models.Model):
    """What has been paid in aid per union, year, kind and fund: the figures page reads these few rows
    instead of summing hundreds of thousands of payments. Kept by signals on AidPayment (every
    save and delete, in the payment's transaction: services_review.tally_*) and rebuilt from the
    payments after bulk loads (services_review.rebuild_aid_tallies)."""

    union = models.ForeignKey("orgs.UnionNode", on_delete=models.CASCADE, related_name="+")
    node_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20)
    fund = models.ForeignKey("hardship.Fund", on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    count = models.IntegerField(default=0)

    objects = ScopedManager()
    scope_path = "node_path"
    scope_node = "union"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["union", "year", "kind", "fund"], name="hardship_one_aid_tally")]
        # Covering, in the figures' GROUP BY order: the page reads the index alone and sorts nothing.
        indexes = [models.Index(fields=["year", "node_path", "kind", "fund", "amount", "count"],
                                name="hardship_aid_tally_cover")]

    def __str__(self) -> str:
        return f"{self.union_id} {self.year} {self.kind} {self.fund_id}: {self.amount} ({self.count})"
