"""Models of the legal app's cases part (imported by models.py).

The roster of a legal-aid centre (law firms and lawyers, with capacity and declared conflicts),
the assignment of a case to a lawyer (委派, with the letter's number), the stages of the case
(mediation, arbitration, first and second instance, enforcement) with their hearings, the
closing report, the arbitration limitation and the amounts actually recovered for each worker.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager
from gonghui.core.urlcache import object_url

MONEY = {"max_digits": 12, "decimal_places": 2}

__all__ = ["LawFirm", "Lawyer", "Assignment", "StageKind", "Stage", "Hearing", "Recovery", "ClosingReport",
           "ClaimLimitation"]


def bare_name(name: str) -> str:
    """A lawyer's name without a trailing 律师 (rosters sometimes hold 王律师): «王律师律师» never shows."""
    return name[:-2] if name.endswith("律师") and len(name) > 2 else name


class LawFirm(models.Model):
    """A law firm on a legal-aid centre's roster (合作律师事务所)."""

    name = models.CharField(_("律师事务所"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    contact = models.CharField(_("联系人"), max_length=60, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    node = models.ForeignKey("orgs.UnionNode", on_delete=models.PROTECT, related_name="law_firms",
                             verbose_name=_("法律援助中心"))
    node_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    active = models.BooleanField(_("合作中"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        verbose_name = _("律师事务所")
        verbose_name_plural = _("律师事务所")
        ordering = ["node_path", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.node_id:
            self.node_path = self.node.path
        super().save(*args, **kwargs)


class Lawyer(models.Model):
    """A lawyer on a centre's roster; ``user`` (kind partner) lets them sign in and see their cases."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="lawyer_profile", verbose_name=_("登录账号"))
    name = models.CharField(_("姓名"), max_length=60)
    firm = models.ForeignKey(LawFirm, null=True, blank=True, on_delete=models.PROTECT, related_name="lawyers",
                             verbose_name=_("律师事务所"))
    licence_no = models.CharField(_("执业证号"), max_length=17, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Matter codes (legal.Matter) the lawyer takes; empty means any.
    matters = models.JSONField(_("擅长事项"), default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(_("同时承办上限（件）"), default=5)
    # Employers (USCCs) the lawyer declared a conflict of interest with: never assigned against them.
    conflict_usccs = models.JSONField(_("利益冲突单位（统一社会信用代码）"), default=list, blank=True)
    conflicts_note = models.TextField(_("利益冲突说明"), blank=True)
    node = models.ForeignKey("orgs.UnionNode", on_delete=models.PROTECT, related_name="lawyers",
                             verbose_name=_("法律援助中心"))
    node_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    active = models.BooleanField(_("合作中"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        verbose_name = _("律师")
        verbose_name_plural = _("律师")
        ordering = ["node_path", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def bare_name(self) -> str:
        """The name for sentences that add the title themselves («%(name)s律师»)."""
        return bare_name(self.name)

    def save(self, *args, **kwargs):
        if self.node_id:
            self.node_path = self.node.path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return object_url("legal:lawyer", self.pk)


class Assignment(models.Model):
    """委派: a case given to a lawyer, with the number of its assignment letter (委派函)."""

    legal_case = models.ForeignKey("legal.LegalCase", on_delete=models.CASCADE, related_name="assignments")
    lawyer = models.ForeignKey(Lawyer, on_delete=models.PROTECT, related_name="assignments",
                               verbose_name=_("承办律师"))
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    number = models.CharField(_("委派函编号"), max_length=40, unique=True)
    issued_on = models.DateField(_("委派日期"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    note = models.TextField(_("委派说明"), blank=True)
    active = models.BooleanField(_("有效"), default=True)
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=200, blank=True)

    objects = ScopedManager()
    scope_path = "legal_case__node_path"

    class Meta:
        verbose_name = _("委派")
        verbose_name_plural = _("委派")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "seq"], name="legal_assignment_seq_once"),
            models.UniqueConstraint(fields=["legal_case"], condition=models.Q(active=True),
                                    name="legal_one_active_assignment"),
        ]
        indexes = [models.Index(fields=["lawyer", "active"], name="legal_assign_lawyer_active")]

    def __str__(self) -> str:
        return self.number


class StageKind(models.TextChoices):
    MEDIATION = "mediation", _("协商/调解")
    ARBITRATION = "arbitration", _("劳动仲裁")
    FIRST_INSTANCE = "first_instance", _("一审")
    SECOND_INSTANCE = "second_instance", _("二审")
    ENFORCEMENT = "enforcement", _("执行")


class Stage(models.Model):
    """One stage of a case: where it is heard, when it started, its time limit and result."""

    legal_case = models.ForeignKey("legal.LegalCase", on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(_("阶段"), max_length=20, choices=StageKind.choices)
    started_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    body = models.CharField(_("受理机构"), max_length=200, blank=True)
    docket_no = models.CharField(_("案号"), max_length=60, blank=True)
    result = models.CharField(_("结果"), max_length=500, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "legal_case__node_path"

    class Meta:
        verbose_name = _("案件阶段")
        verbose_name_plural = _("案件阶段")
        ordering = ["started_on", "id"]

    def __str__(self) -> str:
        return self.kind_label

    @property
    def kind_label(self) -> str:
        return str(StageKind(self.kind).label)


class Hearing(models.Model):
    """A hearing (or mediation session) of a stage, with its record (庭审/调解笔录摘要)."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="hearings")
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    record = models.TextField(_("记录"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "stage__legal_case__node_path"

    class Meta:
        verbose_name = _("庭审/调解记录")
        verbose_name_plural = _("庭审/调解记录")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.place}"


class Recovery(models.Model):
    """Money actually paid to a worker of the case (实际追回); a linked worker gets a ledger row."""

    legal_case = models.ForeignKey("legal.LegalCase", on_delete=models.CASCADE, related_name="recoveries")
    worker = models.ForeignKey("members.Worker", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="legal_recoveries", verbose_name=_("职工"))
    name = models.CharField(_("职工姓名"), max_length=60)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    recovered_on = models.DateField(_("到账日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "legal_case__node_path"

    class Meta:
        verbose_name = _("追回款项")
        verbose_name_plural = _("追回款项")
        ordering = ["recovered_on", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="legal_recovery_positive")]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


class ClosingReport(models.Model):
    """结案报告: written by the lawyer (or the centre) before the case is closed."""

    legal_case = models.OneToOneField("legal.LegalCase", on_delete=models.CASCADE, primary_key=True,
                                      related_name="closing_report")
    text = models.TextField(_("结案报告"))
    final_document = models.ForeignKey("legal.LegalDocument", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+", verbose_name=_("结案文书"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_path = "legal_case__node_path"

    class Meta:
        verbose_name = _("结案报告")
        verbose_name_plural = _("结案报告")

    def __str__(self) -> str:
        return str(self.legal_case_id)


class ClaimLimitation(models.Model):
    """The facts the one-year arbitration limitation runs from (劳动争议调解仲裁法第二十七条)."""

    legal_case = models.OneToOneField("legal.LegalCase", on_delete=models.CASCADE, primary_key=True,
                                      related_name="limitation")
    infringed_on = models.DateField(_("知道或应当知道权利被侵害之日"))
    employment_ended_on = models.DateField(_("劳动关系终止日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_path = "legal_case__node_path"

    class Meta:
        verbose_name = _("仲裁时效")
        verbose_name_plural = _("仲裁时效")

    def __str__(self) -> str:
        return str(self.infringed_on)
