"""Models of the hardship app's core part (imported by models.py).

Policy versions (政策参数), the household file (一户一档) with its members, incomes, rigid spending,
home visit, checks against other records and documents, the assessments (never rewritten) and the
registration application (a case of the "hardship_registration" type).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core import crypto
from gonghui.core.scope import ScopedManager
from gonghui.core.urlcache import object_url

MONEY = {"max_digits": 12, "decimal_places": 2}

__all__ = [
    "PolicyVersion", "HardshipFile", "Assessment", "HouseholdMember", "IncomeRow", "SpendingRow",
    "HomeVisit", "RecordCheck", "HardshipDocument", "HardshipApplication", "NoticeObjection",
    "HardshipNumberSequence", "Cause", "Exclusion",
]


class Cause(models.TextChoices):
    """The national list of hardship causes (致困原因)."""

    NO_WORK_ABILITY = "no_work_ability", _("无劳动能力")
    UNEMPLOYED = "unemployed", _("有劳动能力但失业")
    LAID_OFF = "laid_off", _("下岗")
    NO_SOCIAL_INSURANCE = "no_social_insurance", _("未参加社会保险")
    INSURANCE_NOT_RECEIVED = "insurance_not_received", _("社会保险待遇未落实")
    SERIOUS_ILLNESS = "serious_illness", _("本人或家人患大病")
    NATURAL_DISASTER = "natural_disaster", _("遭受自然灾害")
    ACCIDENT = "accident", _("遭受意外事故")
    CHILDREN_SCHOOL = "children_school", _("子女就学")
    OTHER = "other", _("其他")


class Exclusion(models.TextChoices):
    """Default exclusions (不纳入建档的情形); a policy version may list a subset."""

    MULTIPLE_HOMES = "multiple_homes", _("拥有两套及以上住房且人均面积超过当地标准")
    MOTOR_VEHICLE = "motor_vehicle", _("拥有机动车辆（残疾人功能性补偿代步车除外）")
    ENTERPRISE = "enterprise", _("投资或控股经营企业")
    PRIVATE_SCHOOL = "private_school", _("子女就读高收费私立学校或自费出国留学")
    REFUSED_VISIT = "refused_visit", _("拒绝配合入户调查")
    CONCEALED_INCOME = "concealed_income", _("隐瞒家庭收入或提供虚假材料")
    REFUSED_WORK = "refused_work", _("有劳动能力无正当理由拒绝就业")


class PolicyVersion(models.Model):
    """One version of a federation's hardship rules, in force from effective_from (政策参数版本)."""

    node = models.ForeignKey("orgs.UnionNode", verbose_name=_("制定单位"), on_delete=models.PROTECT,
                             related_name="hardship_policies")
    effective_from = models.DateField(_("生效日期"))
    params = models.JSONField(_("参数"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node__path"

    class Meta:
        verbose_name = _("帮扶政策参数")
        verbose_name_plural = _("帮扶政策参数")
        ordering = ["node__path", "-effective_from", "-id"]
        indexes = [models.Index(fields=["node", "effective_from"], name="hpolicy_node_from")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.node.display_name} {self.effective_from.isoformat()}"


class HardshipNumberSequence(models.Model):
    """The last file number given in a year (numbers are KN + year + 6 digits)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class HardshipFile(models.Model):
    """困难职工档案（一户一档）: one household, the worker as head."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        APPLYING = "applying", _("审核中")
        REGISTERED = "registered", _("在档")
        REJECTED = "rejected", _("未通过")
        EXITED = "exited", _("已脱困")
        CLOSED = "closed", _("已注销")

    class Category(models.TextChoices):
        DEEP = "deep", _("深度困难")
        RELATIVE = "relative", _("相对困难")
        ACCIDENT = "accident", _("意外致困")
        NONE = "none", _("不符合")

    class Housing(models.TextChoices):
        OWN = "own", _("自有住房")
        PUBLIC_RENTAL = "public_rental", _("公租房/廉租房")
        PRIVATE_RENTAL = "private_rental", _("租住私房")
        RELATIVES = "relatives", _("借住亲友")
        OTHER = "other", _("其他")

    class Insurance(models.TextChoices):
        EMPLOYEE = "employee", _("职工基本医疗保险")
        RESIDENT = "resident", _("城乡居民基本医疗保险")
        NONE = "none", _("未参保")
        OTHER = "other", _("其他")

    # Statuses in which a file counts as the household's file: one per worker, and a member may not
    # be in two of them.
    ACTIVE = (Status.DRAFT, Status.APPLYING, Status.REGISTERED)

    number = models.CharField(_("档案编号"), max_length=16, unique=True)
    worker = models.ForeignKey("members.Worker", verbose_name=_("户主"), on_delete=models.PROTECT,
                               related_name="hardship_files")
    union = models.ForeignKey("orgs.UnionNode", verbose_name=_("建档工会"), on_delete=models.PROTECT,
                              related_name="hardship_files")
    node_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    category = models.CharField(_("困难类别"), max_length=12, choices=Category.choices, blank=True)
    category_override_reason = models.TextField(_("人工认定理由"), blank=True)
    assessment = models.ForeignKey("hardship.Assessment", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("当前认定"))
    household_size = models.PositiveSmallIntegerField(_("家庭人口"), default=1)
    main_cause = models.CharField(_("主要致困原因"), max_length=30, choices=Cause.choices, blank=True)
    secondary_causes = models.JSONField(_("次要致困原因"), default=list, blank=True)
    address = models.CharField(_("家庭住址"), max_length=300, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    housing = models.CharField(_("住房情况"), max_length=20, choices=Housing.choices, blank=True)
    housing_area = models.DecimalField(_("住房面积（平方米）"), max_digits=8, decimal_places=2, null=True,
                                       blank=True)
    medical_insurance = models.CharField(_("医疗保险"), max_length=12, choices=Insurance.choices, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=100, blank=True)
    bank_account_encrypted = models.TextField(editable=False, blank=True)
    bank_account_masked = models.CharField(_("银行账号"), max_length=40, editable=False, blank=True)
    # Exclusions staff found (codes of Exclusion); a refused home visit adds refused_visit itself.
    exclusion_flags = models.JSONField(_("排除情形"), default=list, blank=True)
    note = models.TextField(_("备注"), blank=True)
    registered_on = models.DateField(_("建档日期"), null=True, blank=True)
    exited_on = models.DateField(_("脱困日期"), null=True, blank=True)
    closed_on = models.DateField(_("注销日期"), null=True, blank=True)
    closed_reason = models.CharField(_("注销原因"), max_length=200, blank=True)
    next_review_due = models.DateField(_("下次复核"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_path = "node_path"
    scope_node = "union"

    class Meta:
        verbose_name = _("困难职工档案")
        verbose_name_plural = _("困难职工档案")
        constraints = [
            models.UniqueConstraint(fields=["worker"], condition=models.Q(status__in=["draft", "applying",
                                                                                      "registered"]),
                                    name="hardship_one_active_file"),
        ]
        indexes = [
            models.Index(fields=["node_path", "status"], name="hfile_path_status"),
            models.Index(fields=["status", "category"], name="hfile_status_category"),
            # The figures count a subtree's files by their dates from this index alone (review part).
            models.Index(fields=["node_path", "registered_on", "exited_on", "closed_on"], name="hfile_path_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.worker}"

    def get_absolute_url(self) -> str:
        return object_url("hardship:file_detail", self.pk)

    def save(self, *args, **kwargs):
        if self.union_id and not self.node_path:
            self.node_path = self.union.path
        super().save(*args, **kwargs)

    @property
    def status_label(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def category_label(self) -> str:
        return str(self.Category(self.category).label) if self.category else ""

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def set_bank_account(self, account: str) -> None:
        account = "".join(account.split())
        if not account:
            self.bank_account_encrypted = ""
            self.bank_account_masked = ""
            return
        self.bank_account_encrypted = crypto.encrypt(account)
        self.bank_account_masked = (account[:4] + "*" * max(len(account) - 8, 2) + account[-4:]
                                    if len(account) > 8 else "*" * len(account))

    def full_bank_account(self) -> str:
        """Decrypts; callers audit the view."""
        return crypto.decrypt(self.bank_account_encrypted) if self.bank_account_encrypted else ""

    @property
    def cause_labels(self) -> list[str]:
        labels = [str(Cause(self.main_cause).label)] if self.main_cause else []
        return labels + [str(Cause(code).label) for code in self.secondary_causes if code in Cause.values]


class Assessment(models.Model):
    """One computation of the category (困难类别认定): never rewritten, keeps the policy it used."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="assessments")
    policy_version = models.ForeignKey(PolicyVersion, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="assessments")
    policy_label = models.CharField(_("政策版本"), max_length=200)
    per_capita_monthly_income = models.DecimalField(_("家庭月人均收入"), **MONEY)
    category = models.CharField(_("困难类别"), max_length=12, choices=HardshipFile.Category.choices)
    excluded_by = models.JSONField(_("排除情形"), default=list, blank=True)
    inputs = models.JSONField(_("计算依据"), default=dict, blank=True)
    assessed_on = models.DateField(_("认定日期"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "file__node_path"

    class Meta:
        verbose_name = _("困难类别认定")
        verbose_name_plural = _("困难类别认定")
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.file.number} {self.assessed_on} {self.category}"

    @property
    def category_label(self) -> str:
        return str(HardshipFile.Category(self.category).label)

    @property
    def excluded_labels(self) -> list[str]:
        return [str(Exclusion(code).label) for code in self.excluded_by if code in Exclusion.values]


class HouseholdMember(models.Model):
    """A member of the household (家庭成员), the head included (relation "self")."""

    class Relation(models.TextChoices):
        SELF = "self", _("本人")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        GRANDCHILD = "grandchild", _("孙子女")
        SIBLING = "sibling", _("兄弟姐妹")
        OTHER = "other", _("其他")

    class Health(models.TextChoices):
        HEALTHY = "healthy", _("健康")
        CHRONIC = "chronic", _("慢性病")
        SERIOUS = "serious", _("大病/重病")
        DISABLED = "disabled", _("残疾")

    class Work(models.TextChoices):
        EMPLOYED = "employed", _("在职")
        FLEXIBLE = "flexible", _("灵活就业")
        UNEMPLOYED_ABLE = "unemployed_able", _("有劳动能力未就业")
        UNABLE = "unable", _("无劳动能力")
        RETIRED = "retired", _("退休")
        STUDENT = "student", _("在校学生")
        CHILD = "child", _("学龄前儿童")

    class School(models.TextChoices):
        NONE = "", _("不在学")
        PRESCHOOL = "preschool", _("学前")
        COMPULSORY = "compulsory", _("义务教育（小学、初中）")
        HIGH_SCHOOL = "high_school", _("高中/中职")
        COLLEGE = "college", _("大专/本科")
        POSTGRADUATE = "postgraduate", _("研究生")

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=60)
    relation = models.CharField(_("与户主关系"), max_length=12, choices=Relation.choices)
    id_number_encrypted = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    health = models.CharField(_("健康状况"), max_length=12, choices=Health.choices, default=Health.HEALTHY)
    work_status = models.CharField(_("就业状况"), max_length=16, choices=Work.choices, default=Work.EMPLOYED)
    school = models.CharField(_("就学情况"), max_length=16, choices=School.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "file__node_path"

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["file", "id_number_hash"], name="hmember_once_per_file")]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, normalised: str) -> None:
        self.id_number_encrypted = crypto.encrypt(normalised)
        self.id_number_hash = crypto.keyed_hash(normalised)
        self.id_number_masked = crypto.mask_id_number(normalised)


class IncomeRow(models.Model):
    """Income of the last 12 months by source (家庭收入)."""

    class Source(models.TextChoices):
        WAGES = "wages", _("工资性收入")
        BUSINESS = "business", _("经营性收入")
        PROPERTY = "property", _("财产性收入")
        PENSION = "pension", _("养老金")
        UNEMPLOYMENT = "unemployment", _("失业保险金")
        SUPPORT = "support", _("赡养、抚养、扶养费")
        TRANSFER = "transfer", _("转移性收入（补贴等）")
        OTHER = "other", _("其他收入")

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="incomes")
    member = models.ForeignKey(HouseholdMember, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="incomes", verbose_name=_("家庭成员"))
    source = models.CharField(_("收入来源"), max_length=16, choices=Source.choices)
    annual_amount = models.DecimalField(_("近12个月金额（元）"), **MONEY)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "file__node_path"

    class Meta:
        verbose_name = _("家庭收入")
        verbose_name_plural = _("家庭收入")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.annual_amount}"


class SpendingRow(models.Model):
    """Rigid spending of the last 12 months (刚性支出), deducted from income."""

    class Kind(models.TextChoices):
        ILLNESS = "illness", _("医疗（自付部分）")
        DISABILITY = "disability", _("残疾康复、护理")
        SCHOOLING = "schooling", _("非义务教育阶段就学")
        HOUSING = "housing", _("住房（租金、危房修缮）")

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="spendings")
    kind = models.CharField(_("支出类别"), max_length=12, choices=Kind.choices)
    annual_amount = models.DecimalField(_("近12个月金额（元）"), **MONEY)
    # Caused by a sudden event (serious illness, accident, disaster): counts for 意外致困.
    sudden = models.BooleanField(_("因突发事件（大病、意外、灾害）发生"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "file__node_path"

    class Meta:
        verbose_name = _("刚性支出")
        verbose_name_plural = _("刚性支出")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.annual_amount}"


class HomeVisit(models.Model):
    """入户调查: who visited when, and what they found."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="home_visits")
    visited_on = models.DateField(_("调查日期"))
    visitors = models.CharField(_("调查人员"), max_length=200)
    findings = models.TextField(_("调查情况"))
    refused = models.BooleanField(_("户主拒绝入户调查"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "file__node_path"

    class Meta:
        verbose_name = _("入户调查")
        verbose_name_plural = _("入户调查")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.file.number} {self.visited_on}"


class RecordCheck(models.Model):
    """A check against other records (信息核对): property, vehicles, own business."""

    class Kind(models.TextChoices):
        PROPERTY = "property", _("房产")
        VEHICLE = "vehicle", _("车辆")
        BUSINESS = "business", _("工商登记（经营企业）")

    class Result(models.TextChoices):
        CHECKED = "checked", _("已核对")
        FOUND = "found", _("查有")
        NOT_FOUND = "not_found", _("查无")

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="record_checks")
    kind = models.CharField(_("核对项目"), max_length=12, choices=Kind.choices)
    result = models.CharField(_("核对结果"), max_length=12, choices=Result.choices)
    checked_on = models.DateField(_("核对日期"))
    checked_by_name = models.CharField(_("核对人"), max_length=60)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "file__node_path"

    class Meta:
        verbose_name = _("信息核对")
        verbose_name_plural = _("信息核对")
        ordering = ["-checked_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_result_display()}"


def document_path(instance, filename: str) -> str:
    return f"hardship/{instance.file_id}/{instance.sha256[:16]}{instance.extension}"


class HardshipDocument(models.Model):
    """A supporting document (证明材料) kept on the file."""

    class Kind(models.TextChoices):
        ID_CARD = "id_card", _("身份证、户口簿")
        INCOME = "income", _("收入证明")
        MEDICAL = "medical", _("病历、医疗费用票据")
        DISABILITY = "disability", _("残疾证")
        SCHOOL = "school", _("学籍、录取通知书")
        HOUSING = "housing", _("住房证明")
        OTHER = "other", _("其他材料")

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类别"), max_length=12, choices=Kind.choices)
    upload = models.FileField(upload_to=document_path)
    name = models.CharField(_("文件名"), max_length=200)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "file__node_path"

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class HardshipApplication(models.Model):
    """An application for registration (建档申请): a case of the "hardship_registration" type."""

    class Source(models.TextChoices):
        PORTAL = "portal", _("职工网上申请")
        STAFF = "staff", _("工会代为申请")
        REQUEST = "request", _("由诉求转入")

    case = models.OneToOneField("workflow.Case", on_delete=models.CASCADE, primary_key=True,
                                related_name="hardship_application", verbose_name=_("事项"))
    file = models.ForeignKey(HardshipFile, on_delete=models.PROTECT, related_name="applications")
    source = models.CharField(_("申请方式"), max_length=10, choices=Source.choices)
    request = models.ForeignKey("requests.Request", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("来源诉求"))
    statement = models.TextField(_("困难情况说明"))
    notice_starts = models.DateField(_("公示开始"), null=True, blank=True)
    notice_ends = models.DateField(_("公示截止"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "case__node_path"

    class Meta:
        verbose_name = _("建档申请")
        verbose_name_plural = _("建档申请")

    def __str__(self) -> str:
        return f"{self.case_id} {self.file.number}"


class NoticeObjection(models.Model):
    """An objection raised during the public notice (公示异议), recorded by staff."""

    application = models.ForeignKey(HardshipApplication, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField(_("异议内容"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "application__case__node_path"

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:30]
