"""Models of the hardship app's aid part (imported by models.py).

- ``Fund``: a union's money for hardship aid in one year from one source (工会经费, 财政专项, 社会捐赠…),
  with its budget and what has been paid from it; it can never go negative (services_aid locks the
  row, and a check constraint guards the table).
- ``AidPayment``: one aid disbursement to a registered household, from request to payment.
- ``AssistancePlan`` and ``PlanMeasure``: a household's plan of targeted measures (分类帮扶).
- ``Pairing`` and ``PairingContact``: a helper who adopts a household (结对帮扶) and each contact.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager
from gonghui.core.urlcache import object_url

__all__ = ["AidKind", "AidPayment", "AssistancePlan", "Fund", "MeasureKind", "Pairing", "PairingContact", "PlanMeasure"]

MONEY = {"max_digits": 12, "decimal_places": 2}


class AidKind(models.TextChoices):
    """Kinds of aid disbursement; the policy's ``aid_caps`` has a yearly cap for each, per category."""

    LIVING = "living", _("生活救助")
    MEDICAL = "medical", _("医疗救助")
    EDUCATION = "education", _("助学救助")
    OTHER = "other", _("其他救助")


class Fund(models.Model):
    """帮扶资金：one union's money for hardship aid in one year from one source."""

    class Source(models.TextChoices):
        UNION_FUNDS = "union_funds", _("工会经费")
        FISCAL = "fiscal", _("财政专项")
        DONATION = "donation", _("社会捐赠")
        OTHER = "other", _("其他来源")

    union = models.ForeignKey("orgs.UnionNode", verbose_name=_("工会"), on_delete=models.PROTECT,
                              related_name="hardship_funds")
    node_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("资金来源"), max_length=20, choices=Source.choices)
    name = models.CharField(_("资金名称"), max_length=100, blank=True)
    budget = models.DecimalField(_("年度预算"), **MONEY)
    # What has been paid out; raised only under the row lock (services_aid.approve_aid).
    spent = models.DecimalField(_("已支出"), default=Decimal("0"), **MONEY)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_path = "node_path"
    scope_node = "union"

    class Meta:
        verbose_name = _("帮扶资金")
        verbose_name_plural = _("帮扶资金")
        ordering = ["-year", "node_path", "source"]
        constraints = [
            models.UniqueConstraint(fields=["union", "year", "source"], name="hardship_fund_unique_union_year_source"),
            # The last guard: whatever a service does, the table never holds an overspent fund.
            models.CheckConstraint(condition=Q(spent__gte=0) & Q(spent__lte=F("budget")),
                                   name="hardship_fund_never_negative"),
        ]
        indexes = [models.Index(fields=["node_path", "year"], name="hardship_fund_path_year")]

    def __str__(self) -> str:
        return self.name or f"{self.year}年{self.get_source_display()}"

    def save(self, *args, **kwargs):
        if self.union_id and not self.node_path:
            self.node_path = self.union.path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return object_url("hardship:fund", self.pk)

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.spent

    @property
    def used_share(self) -> int:
        """Per cent of the budget spent, for the bar on the funds page."""
        return int(self.spent * 100 / self.budget) if self.budget else 0


class AidPayment(models.Model):
    """救助发放：one aid disbursement to a registered household, from request to payment."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        AWAITING_CITY = "awaiting_city", _("待市总工会审批")
        PAID = "paid", _("已批准发放")
        REJECTED = "rejected", _("未批准")

    OPEN = (Status.PENDING, Status.AWAITING_CITY)

    file = models.ForeignKey("hardship.HardshipFile", verbose_name=_("困难职工档案"), on_delete=models.PROTECT,
                             related_name="aid_payments")
    # The file's union, copied: lists and figures filter on one indexed column.
    union = models.ForeignKey("orgs.UnionNode", verbose_name=_("建档工会"), on_delete=models.PROTECT,
                              related_name="+")
    node_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    fund = models.ForeignKey(Fund, verbose_name=_("资金"), on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("救助类别"), max_length=20, choices=AidKind.choices)
    amount = models.DecimalField(_("金额"), **MONEY)
    reason = models.TextField(_("申请事由"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    # Whether it needed the city's approval (above the policy's large_aid_threshold when requested).
    needs_city = models.BooleanField(_("需市总工会审批"), default=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    # The district's approval of a large aid, which sends it on to the city.
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("区总工会审核人"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("区总工会审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("驳回人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    rejected_at = models.DateTimeField(_("驳回时间"), null=True, blank=True)
    rejection_reason = models.CharField(_("不予批准的理由"), max_length=500, blank=True)

    objects = ScopedManager()
    scope_path = "node_path"
    scope_node = "union"

    class Meta:
        verbose_name = _("救助发放")
        verbose_name_plural = _("救助发放")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="hardship_aid_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["node_path", "status"], name="hardship_aid_path_status"),
            models.Index(fields=["file", "kind", "status", "paid_on"], name="hardship_aid_file_kind"),
            models.Index(fields=["fund", "status"], name="hardship_aid_fund_status"),
            models.Index(fields=["paid_on", "node_path"], name="hardship_aid_paid_path"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ¥{self.amount:,.2f}"

    def save(self, *args, **kwargs):
        if self.union_id and not self.node_path:
            self.node_path = self.union.path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return object_url("hardship:aid", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class MeasureKind(models.TextChoices):
    LIVING_AID = "living_aid", _("生活救助")
    MEDICAL_AID = "medical_aid", _("医疗救助")
    EDUCATION_AID = "education_aid", _("助学")
    JOB_REFERRAL = "job_referral", _("职业介绍")
    SKILLS_TRAINING = "skills_training", _("技能培训")
    ENTREPRENEURSHIP = "entrepreneurship", _("创业扶持")
    PAIRING = "pairing", _("结对帮扶")


class AssistancePlan(models.Model):
    """帮扶计划：a household's plan of targeted measures for one year (分类帮扶、精准帮扶)."""

    file = models.ForeignKey("hardship.HardshipFile", verbose_name=_("困难职工档案"), on_delete=models.PROTECT,
                             related_name="plans")
    year = models.PositiveSmallIntegerField(_("年度"))
    goal = models.TextField(_("帮扶目标"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_path = "file__node_path"

    class Meta:
        verbose_name = _("帮扶计划")
        verbose_name_plural = _("帮扶计划")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["file", "year"], name="hardship_plan_unique_file_year")]

    def __str__(self) -> str:
        return f"{self.year}年帮扶计划"


class PlanMeasure(models.Model):
    """One targeted measure of a plan: what, who is responsible, by when, and how far it is."""

    Kind = MeasureKind

    class Status(models.TextChoices):
        PLANNED = "planned", _("未开始")
        IN_PROGRESS = "in_progress", _("进行中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    plan = models.ForeignKey(AssistancePlan, verbose_name=_("帮扶计划"), on_delete=models.CASCADE,
                             related_name="measures")
    kind = models.CharField(_("帮扶措施"), max_length=20, choices=MeasureKind.choices)
    target = models.CharField(_("具体目标"), max_length=200)
    responsible = models.CharField(_("责任人"), max_length=60)
    status = models.CharField(_("进展"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    due_on = models.DateField(_("完成时限"), null=True, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.CharField(_("进展说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "plan__file__node_path"

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["plan", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.target}"

    @property
    def overdue(self) -> bool:
        return (self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS) and self.due_on is not None
                and self.due_on < timezone.localdate())


class Pairing(models.Model):
    """结对帮扶：a helper (union cadre, model worker, enterprise) adopts a household."""

    class HelperKind(models.TextChoices):
        CADRE = "cadre", _("工会干部")
        MODEL_WORKER = "model_worker", _("劳动模范")
        ENTERPRISE = "enterprise", _("爱心企业")

    file = models.ForeignKey("hardship.HardshipFile", verbose_name=_("困难职工档案"), on_delete=models.PROTECT,
                             related_name="pairings")
    helper_kind = models.CharField(_("帮扶人类别"), max_length=20, choices=HelperKind.choices)
    helper_name = models.CharField(_("帮扶人"), max_length=100)
    helper_contact = models.CharField(_("联系方式"), max_length=60, blank=True)
    helper_unit = models.CharField(_("帮扶人单位"), max_length=200, blank=True)
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)
    last_contact_on = models.DateField(_("最近联系"), null=True, blank=True)
    # The day the household counts as "not contacted": the last contact (or the start) plus the
    # policy's pairing_contact_days; kept by services_aid and refreshed daily by a periodic job.
    contact_due_on = models.DateField(_("应联系日期"), null=True, blank=True, db_index=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "file__node_path"

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        ordering = ["contact_due_on", "id"]

    def __str__(self) -> str:
        return f"{self.helper_name}（{self.get_helper_kind_display()}）"

    def get_absolute_url(self) -> str:
        return object_url("hardship:pairing", self.pk)

    @property
    def active(self) -> bool:
        return self.ended_on is None

    @property
    def overdue(self) -> bool:
        """No contact for the policy's pairing_contact_days: the flag on the pairing list."""
        return self.active and self.contact_due_on is not None and self.contact_due_on < timezone.localdate()

    @property
    def days_since_contact(self) -> int:
        return (timezone.localdate() - (self.last_contact_on or self.started_on)).days


class PairingContact(models.Model):
    """One contact of a pairing: when, how, and what help was given (and its value)."""

    class Way(models.TextChoices):
        VISIT = "visit", _("上门走访")
        PHONE = "phone", _("电话联系")
        ONLINE = "online", _("微信或网络")
        MEETING = "meeting", _("约见面谈")
        OTHER = "other", _("其他")

    pairing = models.ForeignKey(Pairing, verbose_name=_("结对帮扶"), on_delete=models.CASCADE,
                                related_name="contacts")
    contacted_on = models.DateField(_("联系日期"))
    way = models.CharField(_("联系方式"), max_length=20, choices=Way.choices)
    help_given = models.TextField(_("帮扶内容"), blank=True)
    value = models.DecimalField(_("折合金额"), null=True, blank=True, **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "pairing__file__node_path"

    class Meta:
        verbose_name = _("结对联系记录")
        verbose_name_plural = _("结对联系记录")
        ordering = ["-contacted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.contacted_on:%Y-%m-%d} {self.get_way_display()}"
