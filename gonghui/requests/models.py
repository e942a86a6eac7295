"""Worker requests (职工诉求): a request is a case of the "request" type and shares its id."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager
from gonghui.core.urlcache import object_url


class Category(models.Model):
    """What a request is about; admins at the top node keep the list (seeded with ten)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        # The seeded names are in the catalogue (categories.py); names admins add pass through.
        return gettext(self.name)


class Request(models.Model):
    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("咨询")
        HELP = "help", _("求助")
        COMPLAINT = "complaint", _("投诉")
        SUGGESTION = "suggestion", _("建议")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上")
        PHONE = "phone", _("来电")
        LETTER = "letter", _("来信")
        VISIT = "visit", _("来访")

    class Grade(models.TextChoices):
        GENERAL = "general", _("一般")
        DIFFICULT = "difficult", _("难点")
        COMPLEX = "complex", _("特别复杂")

    case = models.OneToOneField("workflow.Case", on_delete=models.CASCADE, primary_key=True,
                                related_name="worker_request", verbose_name=_("事项"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="requests",
                                 verbose_name=_("类别"))
    kind = models.CharField(_("诉求类型"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("诉求内容"))
    channel = models.CharField(_("来源渠道"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    anonymous_to_employer = models.BooleanField(_("对用人单位保密姓名"), default=False)
    worker = models.ForeignKey("members.Worker", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="requests", verbose_name=_("职工"))
    contact_name = models.CharField(_("姓名"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    grade = models.CharField(_("难易程度"), max_length=10, choices=Grade.choices, default=Grade.GENERAL)
    about_own_union = models.BooleanField(_("反映的是本单位工会"), default=False)
    migrant_worker = models.BooleanField(_("农民工"), default=False)
    migrant_wage_arrears = models.BooleanField(_("农民工欠薪"), default=False)
    likely_duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                            related_name="+", verbose_name=_("疑似重复"))
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("代为登记"))
    # The handling clock (办理时限): started when a union accepts, paused while waiting for the
    # worker or the quality check, extended once.
    handling_started_at = models.DateTimeField(null=True, blank=True)
    handling_due_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    extended = models.BooleanField(_("已延期"), default=False)
    extension_days = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    quality_check_required = models.BooleanField(_("需要质检"), default=False)
    outcome = models.TextField(_("办理结果"), blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    on_time = models.BooleanField(_("按时办结"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    rating_invited_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    scope_path = "case__node_path"

    class Meta:
        verbose_name = _("职工诉求")
        verbose_name_plural = _("职工诉求")
        indexes = [models.Index(fields=["worker", "category"], name="request_worker_category")]

    def __str__(self) -> str:
        return str(self.case)

    def get_absolute_url(self) -> str:
        return object_url("workflow:case", self.pk)

    @property
    def kind_label(self) -> str:
        return str(self.Kind(self.kind).label)

    @property
    def channel_label(self) -> str:
        return str(self.Channel(self.channel).label)

    @property
    def grade_label(self) -> str:
        return str(self.Grade(self.grade).label)

    @property
    def rating_label(self) -> str:
        return str(dict(RATING_CHOICES).get(str(self.rating), "")) if self.rating else ""


RATING_CHOICES = (
    ("5", _("5分 非常满意")),
    ("4", _("4分 满意")),
    ("3", _("3分 基本满意")),
    ("2", _("2分 不满意")),
    ("1", _("1分 非常不满意")),
)
