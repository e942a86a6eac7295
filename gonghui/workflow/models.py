"""Cases: one model for everything that is applied for and decided (DESIGN idea 2).

Domain apps keep their own fields in their own models, linked one-to-one to ``Case``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager
from gonghui.core.urlcache import object_url


class Case(models.Model):
    case_type = models.CharField(_("类型"), max_length=40, db_index=True)
    number = models.CharField(_("编号"), max_length=32, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    # Who applied: a worker's account, or an enterprise named in applicant_name.
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="cases", verbose_name=_("申请人账号"))
    applicant_name = models.CharField(_("申请人"), max_length=200)
    # The owning union; node_path copies its path so the inbox filters on one indexed column.
    node = models.ForeignKey("orgs.UnionNode", on_delete=models.PROTECT, related_name="cases",
                             verbose_name=_("承办工会"))
    node_path = models.CharField(max_length=255, db_index=True, editable=False)
    state = models.CharField(_("状态"), max_length=40)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_cases", verbose_name=_("经办人"))
    urgent = models.BooleanField(_("紧急"), default=False)
    # Optimistic lock: every transition must name the version it saw.
    version = models.PositiveIntegerField(default=1)
    state_entered_at = models.DateTimeField()
    due_at = models.DateTimeField(_("办理时限"), null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    supervising_node = models.ForeignKey("orgs.UnionNode", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="supervised_cases", verbose_name=_("督办工会"))
    is_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        indexes = [
            models.Index(fields=["node_path", "case_type", "state"], name="case_inbox"),
            models.Index(fields=["due_at"], condition=models.Q(is_open=True), name="case_open_due"),
            models.Index(fields=["warn_at"], condition=models.Q(is_open=True, warned_at__isnull=True),
                         name="case_open_warn"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return object_url("workflow:case", self.pk)

    @property
    def type(self):
        from gonghui.workflow.declarations import get

        return get(self.case_type)

    @property
    def state_info(self):
        return self.type.state(self.state)

    @property
    def state_label(self) -> str:
        return str(self.state_info.label)

    @property
    def applicant_state_label(self) -> str:
        info = self.state_info
        return str(info.applicant_label or info.label)


class CaseEvent(models.Model):
    """One line of a case's timeline."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("创建")
        TRANSITION = "transition", _("办理")
        COMMENT = "comment", _("留言")
        ATTACHMENT = "attachment", _("附件")
        WARNING = "warning", _("临期提醒")
        ESCALATION = "escalation", _("督办")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    transition = models.CharField(max_length=40, blank=True)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    visible_to_applicant = models.BooleanField(default=True)

    objects = ScopedManager()
    scope_path = "case__node_path"

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.transition}"


def attachment_path(instance, filename: str) -> str:
    return f"cases/{instance.case_id}/{instance.sha256[:16]}{instance.extension}"


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    visible_to_applicant = models.BooleanField(default=True)

    objects = ScopedManager()
    scope_path = "case__node_path"

    def __str__(self) -> str:
        return self.name


class HolidayOverride(models.Model):
    """A day whose working status differs from the package's calendar (admins keep it)."""

    day = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("节假日调整")

    def __str__(self) -> str:
        return f"{self.day} {'班' if self.is_working_day else '休'}"
