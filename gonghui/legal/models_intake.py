"""Models of the legal app's intake part (imported by models.py).

The legal-aid centre of a federation (法律援助中心), its eligibility rules (as data), the answer to a
legal consultation (a request of the "legal" category), the legal-aid case (one row per workflow
case of the "legal_aid" type, with the fields the cases part writes) and its documents.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager
from gonghui.core.urlcache import object_url

MONEY = {"max_digits": 12, "decimal_places": 2}

__all__ = ["Matter", "Outcome", "LegalCentre", "EligibilityRule", "Consultation", "LegalCase", "LegalDocument"]


class Matter(models.TextChoices):
    LABOUR_CONTRACT = "labour_contract", _("劳动合同")
    WAGES = "wages", _("工资报酬（欠薪）")
    WORK_INJURY = "work_injury", _("工伤")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险")
    HOURS_LEAVE = "hours_leave", _("工作时间和休息休假")
    DISMISSAL = "dismissal", _("解除劳动关系")
    OTHER = "other", _("其他")


class Outcome(models.TextChoices):
    SETTLED = "settled", _("调解/和解结案")
    AWARD = "award", _("仲裁裁决")
    JUDGMENT = "judgment", _("判决")
    WITHDRAWN = "withdrawn", _("撤回/撤诉")
    LOST = "lost", _("败诉")


class LegalCentre(models.Model):
    """A federation's legal-aid centre: a service-centre node under the federation it serves."""

    node = models.OneToOneField("orgs.UnionNode", on_delete=models.PROTECT, related_name="legal_centre",
                                verbose_name=_("法律援助中心"))
    federation = models.ForeignKey("orgs.UnionNode", on_delete=models.PROTECT, related_name="legal_centres_serving",
                                   verbose_name=_("服务的总工会"))
    decision_days = models.PositiveSmallIntegerField(_("审查时限（工作日）"), default=5,
                                                     validators=[MinValueValidator(1), MaxValueValidator(30)])
    urgent_days = models.PositiveSmallIntegerField(_("春节前欠薪急案时限（工作日）"), default=2,
                                                   validators=[MinValueValidator(1), MaxValueValidator(30)])
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node__path"

    class Meta:
        verbose_name = _("法律援助中心")
        verbose_name_plural = _("法律援助中心")
        ordering = ["node__path"]

    def __str__(self) -> str:
        return self.node.name


class EligibilityRule(models.Model):
    """One rule under which a federation grants legal aid (援助条件). ``conditions`` is a JSON object
    of facts that must all hold, e.g. {"is_migrant": true, "matter": ["wages"]} (see eligibility.py)."""

    federation = models.ForeignKey("orgs.UnionNode", on_delete=models.CASCADE, related_name="legal_rules",
                                   verbose_name=_("总工会"))
    code = models.SlugField(_("代码"), max_length=40)
    label = models.CharField(_("条件"), max_length=200)
    conditions = models.JSONField(_("须同时满足"), default=dict)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "federation__path"

    class Meta:
        verbose_name = _("法律援助条件")
        verbose_name_plural = _("法律援助条件")
        ordering = ["federation__path", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["federation", "code"], name="legal_rule_code_once")]

    def __str__(self) -> str:
        return self.label


class Consultation(models.Model):
    """The legal answer to a request of the "legal" category (法律咨询)."""

    request = models.OneToOneField("requests.Request", on_delete=models.CASCADE, primary_key=True,
                                   related_name="legal_consultation", verbose_name=_("诉求"))
    answer = models.TextField(_("解答意见"), blank=True)
    law_cited = models.CharField(_("法律依据"), max_length=500, blank=True)
    minutes_spent = models.PositiveSmallIntegerField(_("用时（分钟）"), default=0)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("解答人"))
    answered_at = models.DateTimeField(_("解答时间"), null=True, blank=True)
    node_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        verbose_name = _("法律咨询")
        verbose_name_plural = _("法律咨询")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["node_path", "answered_at"], name="legal_consult_path_answered")]

    def __str__(self) -> str:
        return str(self.request_id)

    def get_absolute_url(self) -> str:
        return object_url("legal:consultation", self.pk)


class LegalCase(models.Model):
    """法律援助案件: the application and everything decided on it (one workflow case)."""

    case = models.OneToOneField("workflow.Case", on_delete=models.CASCADE, primary_key=True, related_name="legal")
    node_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    # --- the applicant ---
    worker = models.ForeignKey("members.Worker", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="legal_cases", verbose_name=_("职工"))
    applicant_name = models.CharField(_("申请人"), max_length=60)
    applicant_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    union = models.ForeignKey("orgs.UnionNode", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="legal_cases_of_members", verbose_name=_("所在工会"))
    union_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    district = models.ForeignKey("orgs.UnionNode", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="legal_cases_in_district", verbose_name=_("所在区（县）"))
    is_member = models.BooleanField(_("工会会员"), default=False)
    is_migrant = models.BooleanField(_("农民工"), default=False)
    is_woman = models.BooleanField(_("女职工"), default=False)
    is_disabled = models.BooleanField(_("残疾职工"), default=False)
    is_elderly = models.BooleanField(_("老年职工"), default=False)
    is_model_worker = models.BooleanField(_("劳动模范"), default=False)
    is_union_officer = models.BooleanField(_("因履行工会职责被诉的工会干部"), default=False)
    in_hardship = models.BooleanField(_("困难职工"), default=False)
    # --- the opponent and the dispute ---
    opponent_name = models.CharField(_("对方（用人单位）"), max_length=200)
    opponent_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    opponent_address = models.CharField(_("对方地址"), max_length=300, blank=True)
    matter = models.CharField(_("争议事项"), max_length=20, choices=Matter.choices)
    facts = models.TextField(_("事实和理由"))
    amount_claimed = models.DecimalField(_("请求金额（元）"), default=0, **MONEY)
    workers_involved = models.PositiveIntegerField(_("涉及职工人数"), default=1, validators=[MinValueValidator(1)])
    consultation = models.ForeignKey(Consultation, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="applications", verbose_name=_("来源咨询"))
    eligibility_rule = models.CharField(_("符合的援助条件"), max_length=40, blank=True)
    eligibility_note = models.CharField(_("援助条件说明"), max_length=500, blank=True)
    urgent_arrears = models.BooleanField(_("春节前欠薪急案"), default=False)
    submitted_on = models.DateField(_("申请日期"))
    decided_on = models.DateField(_("审查日期"), null=True, blank=True)
    decision_note = models.TextField(_("审查意见"), blank=True)
    # --- written by the cases part ---
    lawyer = models.ForeignKey("legal.Lawyer", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="legal_cases", verbose_name=_("承办律师"))
    stage = models.CharField(_("当前阶段"), max_length=20, blank=True)
    outcome = models.CharField(_("结案方式"), max_length=20, choices=Outcome.choices, blank=True)
    amount_awarded = models.DecimalField(_("裁判/调解金额（元）"), default=0, **MONEY)
    amount_recovered = models.DecimalField(_("实际追回金额（元）"), default=0, **MONEY)
    workers_covered = models.PositiveIntegerField(_("受益职工人数"), default=0)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评价"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        verbose_name = _("法律援助案件")
        verbose_name_plural = _("法律援助案件")
        ordering = ["-submitted_on", "-case_id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_claimed__gte=0), name="legal_claimed_not_negative"),
            models.CheckConstraint(condition=models.Q(workers_involved__gte=1), name="legal_workers_at_least_one"),
        ]
        indexes = [
            models.Index(fields=["node_path", "submitted_on"], name="legal_case_path_submitted"),
            models.Index(fields=["opponent_name"], name="legal_case_opponent"),
            models.Index(fields=["urgent_arrears", "node_path"], condition=models.Q(urgent_arrears=True),
                         name="legal_case_urgent"),
            # The figures (reports part): one year's rows by each date, covering what is grouped and summed;
            # legal_fig_closed also serves the open cases of a matter (closed_on IS NULL, matter = …).
            models.Index(fields=["submitted_on", "matter", "district", "union", "node_path", "amount_claimed",
                                 "workers_involved"], name="legal_fig_submitted"),
            models.Index(fields=["decided_on", "matter", "district", "union", "node_path"], name="legal_fig_decided"),
            models.Index(fields=["closed_on", "matter", "district", "union", "node_path", "lawyer", "workers_covered",
                                 "amount_awarded", "amount_recovered", "rating"], name="legal_fig_closed"),
            # The wage-arrears board: the open cases (closed_on IS NULL — a literal, so SQLite uses this
            # partial index whatever the parameters) of a matter, covering what the board groups and sums.
            models.Index(fields=["matter", "opponent_uscc", "opponent_name", "district", "submitted_on",
                                 "urgent_arrears", "is_migrant", "workers_involved", "amount_claimed",
                                 "amount_recovered", "node_path"],
                         condition=models.Q(closed_on__isnull=True), name="legal_case_unclosed"),
            # The wage-arrears board: an employer's wage cases over the years, counted from the index alone.
            models.Index(fields=["opponent_uscc", "matter", "submitted_on", "opponent_name", "node_path"],
                         name="legal_case_employer"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.applicant_name}"

    def get_absolute_url(self) -> str:
        return object_url("legal:case", self.pk)

    def save(self, *args, **kwargs):
        if self.case_id and not self.node_path:
            self.node_path = self.case.node_path
        if self.union_id and not self.union_path:
            self.union_path = self.union.path
        super().save(*args, **kwargs)

    @property
    def matter_label(self) -> str:
        return str(Matter(self.matter).label) if self.matter else ""

    @property
    def eligibility_rule_label(self) -> str:
        from gonghui.legal.eligibility import rule_label

        return rule_label(self.eligibility_rule)

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label) if self.outcome else ""


class LegalDocument(models.Model):
    """A document of a legal-aid case; the file itself is a workflow attachment (content checked)."""

    class Kind(models.TextChoices):
        CONTRACT = "contract", _("劳动合同")
        PAY_RECORDS = "pay_records", _("工资条/银行流水")
        ATTENDANCE = "attendance", _("考勤记录")
        CHATS = "chats", _("聊天记录")
        ID_CARD = "id_card", _("身份证")
        MEMBER_CARD = "member_card", _("会员证")
        HARDSHIP_PROOF = "hardship_proof", _("困难证明")
        STAGE_DOCUMENT = "stage_document", _("程序文书")
        FINAL_DOCUMENT = "final_document", _("结案文书（调解书/裁决书/判决书）")
        OTHER = "other", _("其他")

    legal_case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类别"), max_length=20, choices=Kind.choices)
    attachment = models.ForeignKey("workflow.CaseAttachment", on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey("legal.Stage", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="documents", verbose_name=_("所属阶段"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "legal_case__node_path"

    class Meta:
        verbose_name = _("案件材料")
        verbose_name_plural = _("案件材料")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind_label} {self.attachment_id}"

    @property
    def kind_label(self) -> str:
        return str(self.Kind(self.kind).label)
