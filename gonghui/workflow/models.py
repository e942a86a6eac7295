"""Cases: one model for everything that is applied for and decided (DESIGN idea 2).

Domain apps keep their own fields in their own models, linked one-to-one to ``Case``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager
from gonghui.core.urlcache import object_url


class Case(models.Model):
    # Not indexed alone: a handful of values; the composite indexes below lead with the path.
    case_type = models.CharField(_("类型"), max_length=40)
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
    # The type's main classification (a request's category, a legal case's matter), kept here so
    # that inbox filters and counts read one table.
    topic = models.CharField(_("分类"), max_length=40, blank=True)
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
            # Filtered inbox counts and pages: a topic within a subtree, read from the index alone.
            models.Index(fields=["case_type", "topic", "node_path", "state", "urgent"], name="case_topic"),
            # The few urgent and overdue cases, for those inbox filters and their counts.
            models.Index(fields=["case_type", "node_path", "state"], condition=models.Q(urgent=True),
                         name="case_urgent"),
            models.Index(fields=["due_at", "case_type", "node_path", "state"], condition=models.Q(is_open=True),
                         name="case_open_due_path"),
            # Each inbox tab reads its first page in the order of one index, with no sort: a state
            # by due time, the closed ones by closing time, a topic's or the urgent open ones by
            # due time (the open tab itself uses case_open_due_path).
            models.Index(fields=["case_type", "state", "closed_at"], name="case_state_closed"),
            models.Index(fields=["case_type", "state", "due_at"], name="case_state_due"),
            models.Index(fields=["case_type", "topic", "due_at"], condition=models.Q(is_open=True),
                         name="case_topic_open_due"),
            models.Index(fields=["case_type", "due_at"], condition=models.Q(is_open=True, urgent=True),
                         name="case_urgent_open_due"),
            models.Index(fields=["due_at"], condition=models.Q(is_open=True), name="case_open_due"),
            models.Index(fields=["warn_at"], condition=models.Q(is_open=True, warned_at__isnull=True),
                         name="case_open_warn"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    # --- keeping the per-subtree counts (workflow/tallies.py) in step with every save ---
    TALLY_FIELDS = ("case_type", "state", "node_path")

    @classmethod
    def from_db(cls, db, field_names, values):
        case = super().from_db(db, field_names, values)
        case._tally_key = tuple(case.__dict__.get(f) for f in cls.TALLY_FIELDS)
        return case

    def _tally_key_in_db(self):
        key = getattr(self, "_tally_key", None)
        if key is None or None in key:  # loaded without those fields: ask the database
            key = Case._base_manager.filter(pk=self.pk).values_list(*self.TALLY_FIELDS).first()
        return key

    def save(self, *args, **kwargs):
        from gonghui.workflow import tallies

        update_fields = kwargs.get("update_fields")
        touches = update_fields is None or {"case_type", "state", "node_path"} & set(update_fields)
        before = None if self._state.adding or not touches else self._tally_key_in_db()
        super().save(*args, **kwargs)
        after = tuple(getattr(self, f) for f in self.TALLY_FIELDS)
        if touches and before != after:
            tallies.move(before, after)
        self._tally_key = after

    def delete(self, *args, **kwargs):
        from gonghui.workflow import tallies

        before = self._tally_key_in_db()
        result = super().delete(*args, **kwargs)
        tallies.move(before, None)
        return result

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


class CaseTally(models.Model):
    """Cases of a type in a state within a node's whole subtree (see workflow/tallies.py).

    Counts only, no personal data; read through ``tallies.counts(paths)`` with the caller's
    scope paths."""

    node_path = models.CharField(max_length=255)
    case_type = models.CharField(max_length=40)
    state = models.CharField(max_length=40)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node_path", "case_type", "state"], name="case_tally_key")]

    def __str__(self) -> str:
        return f"{self.node_path} {self.case_type} {self.state}: {self.count}"


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
