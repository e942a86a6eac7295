"""报名与签到: the one enrolment mechanism behind activities (events) and courses.

An ``Offering`` is a number of places a union offers (an event or a course). Activities and courses
keep their own fields in a model linked one-to-one to it (``Activity.offering``, ``Course.offering``).
An ``Enrolment`` is one person's sign-up, with its status and, once confirmed, a short check-in
code. ``confirmed_count`` / ``waiting_count`` are kept by ``enrolment.services`` in the same
transaction as the rows they count (the sign-up locks the offering, reads them, then writes):
never write them elsewhere. A database constraint keeps ``confirmed_count <= capacity`` and another
refuses a second live sign-up of the same person.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager


class Audience(models.TextChoices):
    MEMBERS = "members", _("本工会及下级工会会员")
    WORKERS = "workers", _("所有职工")
    WOMEN = "women", _("女职工")
    MIGRANT = "migrant", _("农民工")


class Offering(models.Model):
    class Kind(models.TextChoices):
        EVENT = "event", _("活动")
        COURSE = "course", _("培训课程")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        CANCELLED = "cancelled", _("已取消")

    Audience = Audience

    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    node = models.ForeignKey("orgs.UnionNode", verbose_name=_("主办工会"), on_delete=models.PROTECT,
                             related_name="offerings")
    node_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    title = models.CharField(_("名称"), max_length=200)
    capacity = models.PositiveIntegerField(_("名额"), default=30)
    audience = models.CharField(_("报名对象"), max_length=10, choices=Audience.choices, default=Audience.MEMBERS)
    hardship_first = models.BooleanField(
        _("困难职工优先递补"), default=False,
        help_text=_("候补递补时，已建档的困难职工家庭优先。"))
    opens_at = models.DateTimeField(_("报名开始时间"), null=True, blank=True)
    closes_at = models.DateTimeField(_("报名截止时间"), null=True, blank=True)
    # When the activity or course ends: check-in QR codes stop working a day later. The activities
    # and courses apps keep it equal to their own end (Activity.ends_at, Course.ends_on).
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    per_person_limit = models.PositiveSmallIntegerField(
        _("每人限报名额"), default=1, help_text=_("一人最多可占的名额（含携带家属）。"))
    # [{"key": "size", "label": "衣服尺码", "type": "choice", "required": true, "choices": ["S", "M"]}]
    questions = models.JSONField(_("报名问题"), default=list, blank=True)
    waitlist = models.BooleanField(_("额满后接受候补"), default=True)
    confirm_hours = models.PositiveSmallIntegerField(
        _("递补确认时限（小时）"), default=24,
        help_text=_("候补递补后，职工须在此时限内确认，否则名额让给下一位。"))
    # Seats held (confirmed + offered) and seats waiting; kept by services in the sign-up transaction.
    confirmed_count = models.PositiveIntegerField(_("已报名"), default=0, editable=False)
    waiting_count = models.PositiveIntegerField(_("候补"), default=0, editable=False)
    # The last waiting-list position given (positions only grow, so the order never changes).
    last_position = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        verbose_name = _("报名项目")
        verbose_name_plural = _("报名项目")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="offering_capacity_positive"),
            models.CheckConstraint(condition=Q(confirmed_count__lte=models.F("capacity")),
                                   name="offering_never_overfilled"),
            models.CheckConstraint(condition=Q(per_person_limit__gte=1), name="offering_limit_positive"),
        ]
        indexes = [models.Index(fields=["node_path", "kind", "status"], name="offering_path_kind")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.node_id and not self.node_path:
            self.node_path = self.node.path
        super().save(*args, **kwargs)

    @property
    def free_places(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)

    @property
    def is_full(self) -> bool:
        return self.confirmed_count >= self.capacity


class Enrolment(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("已报名")
        WAITING = "waiting", _("候补中")
        OFFERED = "offered", _("候补递补待确认")
        CANCELLED = "cancelled", _("已取消")
        REMOVED = "removed", _("已移除（工作人员）")
        EXPIRED = "expired", _("递补未确认")

    LIVE = (Status.CONFIRMED, Status.WAITING, Status.OFFERED)
    # Statuses that hold seats (count in Offering.confirmed_count).
    HOLDING = (Status.CONFIRMED, Status.OFFERED)

    offering = models.ForeignKey(Offering, verbose_name=_("报名项目"), on_delete=models.CASCADE,
                                 related_name="enrolments")
    # Copy of offering.node_path (the organiser's), the scope column of rosters and figures.
    node_path = models.CharField(max_length=255, editable=False, default="")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报名账号"), on_delete=models.PROTECT,
                             related_name="enrolments")
    worker = models.ForeignKey("members.Worker", verbose_name=_("职工"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="enrolments")
    seats = models.PositiveSmallIntegerField(_("名额数"), default=1)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    position = models.PositiveIntegerField(_("候补序号"), null=True, blank=True)
    answers = models.JSONField(_("报名信息"), default=dict, blank=True)
    offer_expires_at = models.DateTimeField(_("递补确认截止"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    code = models.CharField(_("签到码"), max_length=8)
    attended_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("签到人"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("代报名人"))
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "user"], condition=Q(status__in=["confirmed", "waiting",
                                                                                          "offered"]),
                                    name="enrolment_one_live_per_person"),
            models.UniqueConstraint(fields=["offering", "code"], name="enrolment_code_unique"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="enrolment_seats_positive"),
        ]
        indexes = [
            models.Index(fields=["offering", "status", "position"], name="enrolment_queue"),
            models.Index(fields=["user", "status"], name="enrolment_user_status"),
            models.Index(fields=["node_path", "created_at"], name="enrolment_path_created"),
            models.Index(fields=["status", "offer_expires_at"], name="enrolment_offer_due"),
        ]

    def __str__(self) -> str:
        return f"{self.offering} · {self.person_name}"

    def save(self, *args, **kwargs):
        if not self.node_path and self.offering_id:
            self.node_path = self.offering.node_path
        super().save(*args, **kwargs)

    @property
    def person_name(self) -> str:
        if self.worker_id:
            return self.worker.name
        return str(self.user)

    @property
    def person_mobile(self) -> str:
        """The worker record's mobile, else the account's phone (for rosters and exports)."""
        return (self.worker.mobile if self.worker_id else "") or (self.user.phone or "")

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE
