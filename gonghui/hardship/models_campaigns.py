"""Models of the hardship app's campaigns part (imported by models.py): 金秋助学 and 送温暖.

A Golden Autumn round (金秋助学) is a federation's yearly application window; each application is
a case of the "golden_autumn" type (golden_autumn.py), sharing its id. A Send Warmth campaign
(送温暖) lists the households to visit (WarmthTarget, generated from the registry) and records one
visit per household (WarmthVisit). Money and goods delivered go to the ledger (services_campaigns).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager
from gonghui.core.urlcache import object_url

__all__ = ["GoldenAutumnApplication", "GoldenAutumnRound", "SendWarmthCampaign", "WarmthTarget", "WarmthVisit"]

MONEY = {"max_digits": 12, "decimal_places": 2}


class GoldenAutumnRound(models.Model):
    """One federation's Golden Autumn round for one year (申请时间、预算)."""

    node = models.ForeignKey("orgs.UnionNode", verbose_name=_("组织工会"), on_delete=models.PROTECT,
                             related_name="+")
    node_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100)
    opens_on = models.DateField(_("申请开始日期"))
    closes_on = models.DateField(_("申请截止日期"))
    budget = models.DecimalField(_("预算（元）"), **MONEY)
    note = models.TextField(_("申请须知"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node_path"
    scope_node = "node"

    class Meta:
        verbose_name = _("金秋助学批次")
        verbose_name_plural = _("金秋助学批次")
        ordering = ("-year", "node_path")
        constraints = [models.UniqueConstraint(fields=["node", "year"], name="golden_round_node_year")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("hardship:golden_round", self.pk)

    def save(self, *args, **kwargs):
        if self.node_id and not self.node_path:
            self.node_path = self.node.path
        super().save(*args, **kwargs)

    def is_open_on(self, day) -> bool:
        return self.opens_on <= day <= self.closes_on


class GoldenAutumnApplication(models.Model):
    """A parent's application for one child (金秋助学申请): a "golden_autumn" case, sharing its id."""

    class Group(models.TextChoices):
        REGISTERED = "registered", _("在档困难职工")
        OTHER = "other", _("其他困难职工")

    class Level(models.TextChoices):
        COLLEGE = "college", _("大学（含高职高专、研究生）")
        HIGH_SCHOOL = "high_school", _("高中（含中职、技校）")

    case = models.OneToOneField("workflow.Case", on_delete=models.CASCADE, primary_key=True,
                                related_name="golden_autumn", verbose_name=_("事项"))
    round = models.ForeignKey(GoldenAutumnRound, on_delete=models.PROTECT, related_name="applications",
                              verbose_name=_("批次"))
    year = models.PositiveSmallIntegerField(_("年度"))
    worker = models.ForeignKey("members.Worker", on_delete=models.PROTECT, related_name="golden_autumn_applications",
                               verbose_name=_("申请人（家长）"))
    file = models.ForeignKey("hardship.HardshipFile", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="golden_autumn_applications", verbose_name=_("困难职工档案"))
    group = models.CharField(_("申请类别"), max_length=12, choices=Group.choices)
    hardship_note = models.TextField(_("家庭困难情况"), blank=True)
    child_name = models.CharField(_("子女姓名"), max_length=60)
    child_id_encrypted = models.TextField(editable=False)
    child_id_hash = models.CharField(max_length=64, editable=False, db_index=True)
    child_id_masked = models.CharField(_("子女身份证号"), max_length=18, editable=False)
    school = models.CharField(_("录取学校"), max_length=120)
    admission_year = models.PositiveSmallIntegerField(_("入学年份"))
    level = models.CharField(_("就读层次"), max_length=12, choices=Level.choices)
    bank_name = models.CharField(_("开户银行"), max_length=100)
    bank_account_encrypted = models.TextField(editable=False)
    bank_account_masked = models.CharField(_("银行账号"), max_length=40, editable=False)
    amount = models.DecimalField(_("助学金额（元）"), **MONEY)
    # False once rejected or withdrawn: the child may then be applied for again this year.
    active = models.BooleanField(default=True)
    notice_ends_at = models.DateTimeField(_("公示截止"), null=True, blank=True)
    approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "case__node_path"

    class Meta:
        verbose_name = _("金秋助学申请")
        verbose_name_plural = _("金秋助学申请")
        constraints = [
            # One application per child per year (a rejected or withdrawn one no longer counts).
            models.UniqueConstraint(fields=["year", "child_id_hash"], condition=models.Q(active=True),
                                    name="golden_one_per_child_year"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.child_name}"

    def get_absolute_url(self) -> str:
        return object_url("workflow:case", self.pk)

    @property
    def level_label(self) -> str:
        return str(self.Level(self.level).label)

    @property
    def group_label(self) -> str:
        return str(self.Group(self.group).label)

    @property
    def level_short(self) -> str:
        """大学 / 高中: the level in a word, for titles and narrow places."""
        return str(LEVEL_SHORT.get(self.level, self.level))


LEVEL_SHORT = {"college": _("大学"), "high_school": _("高中")}


class SendWarmthCampaign(models.Model):
    """A Send Warmth campaign (送温暖), e.g. 2027年春节送温暖: who is visited and the budget."""

    node = models.ForeignKey("orgs.UnionNode", verbose_name=_("组织工会"), on_delete=models.PROTECT,
                             related_name="+")
    node_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    name = models.CharField(_("活动名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    budget = models.DecimalField(_("预算（元）"), **MONEY)
    # The rule of who is visited: registered files of these categories in the campaign's subtree …
    categories = models.JSONField(_("走访的困难类别"), default=list)
    # … and, added by staff to the list, model workers and frontline workers.
    include_model_workers = models.BooleanField(_("同时慰问劳动模范"), default=False)
    include_frontline = models.BooleanField(_("同时慰问一线职工"), default=False)
    standard_amount = models.DecimalField(_("每户慰问标准（元）"), **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node_path"
    scope_node = "node"

    class Meta:
        verbose_name = _("送温暖活动")
        verbose_name_plural = _("送温暖活动")
        ordering = ("-starts_on", "-pk")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("hardship:warmth_campaign", self.pk)

    def save(self, *args, **kwargs):
        if self.node_id and not self.node_path:
            self.node_path = self.node.path
        super().save(*args, **kwargs)


class WarmthTarget(models.Model):
    """One household (or person) on a campaign's visit list."""

    class Group(models.TextChoices):
        DEEP = "deep", _("深度困难")
        RELATIVE = "relative", _("相对困难")
        ACCIDENT = "accident", _("意外致困")
        MODEL_WORKER = "model_worker", _("劳动模范")
        FRONTLINE = "frontline", _("一线职工")

    campaign = models.ForeignKey(SendWarmthCampaign, on_delete=models.CASCADE, related_name="targets")
    worker = models.ForeignKey("members.Worker", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("走访对象"))
    file = models.ForeignKey("hardship.HardshipFile", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="warmth_targets", verbose_name=_("困难职工档案"))
    union = models.ForeignKey("orgs.UnionNode", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("所在工会"))
    node_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    group = models.CharField(_("类别"), max_length=16, choices=Group.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node_path"
    scope_node = "union"

    class Meta:
        verbose_name = _("送温暖走访对象")
        verbose_name_plural = _("送温暖走访对象")
        constraints = [models.UniqueConstraint(fields=["campaign", "worker"], name="warmth_target_once")]
        indexes = [models.Index(fields=["campaign", "node_path"], name="warmth_target_campaign_path")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.worker}"

    def save(self, *args, **kwargs):
        if self.union_id and not self.node_path:
            self.node_path = self.union.path
        super().save(*args, **kwargs)

    @property
    def group_label(self) -> str:
        return str(self.Group(self.group).label)


class WarmthVisit(models.Model):
    """The visit to one household on the list (慰问记录): when, who, cash or goods, value, photo."""

    class Kind(models.TextChoices):
        CASH = "cash", _("慰问金")
        GOODS = "goods", _("慰问品")

    target = models.OneToOneField(WarmthTarget, on_delete=models.CASCADE, related_name="visit")
    visited_on = models.DateField(_("走访日期"))
    visitors = models.CharField(_("走访人员"), max_length=200)
    kind = models.CharField(_("慰问方式"), max_length=8, choices=Kind.choices)
    value = models.DecimalField(_("金额或物品价值（元）"), **MONEY)
    goods = models.CharField(_("慰问品"), max_length=200, blank=True)
    note = models.TextField(_("走访情况"), blank=True)
    photo = models.FileField(_("现场照片"), upload_to="hardship/warmth/", blank=True)
    photo_type = models.CharField(max_length=40, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "target__node_path"

    class Meta:
        verbose_name = _("送温暖走访记录")
        verbose_name_plural = _("送温暖走访记录")

    def __str__(self) -> str:
        return f"{self.target} · {self.visited_on}"

    @property
    def kind_label(self) -> str:
        return str(self.Kind(self.kind).label)
