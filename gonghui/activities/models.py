"""职工文体活动: cultural and sports events with registration.

An ``Activity`` keeps the event's own fields (kind, time, place, cover, description, the report
afterwards) and shares its primary key with an ``enrolment.Offering`` (kind "event"), which holds
the places, the audience rule, the registration window and the waiting list. The organiser's path
is copied onto the activity (``node_path``), so lists filter on one indexed column; ``services``
keeps it equal to the offering's.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager
from gonghui.core.urlcache import object_url


class Activity(models.Model):
    class Kind(models.TextChoices):
        SPORTS = "sports", _("体育")
        CULTURE = "culture", _("文化艺术")
        OUTING = "outing", _("户外")
        LECTURE = "lecture", _("讲座")
        VOLUNTEER = "volunteer", _("志愿服务")
        MATCHMAKING = "matchmaking", _("联谊交友")
        OTHER = "other", _("其他")

    offering = models.OneToOneField("enrolment.Offering", on_delete=models.CASCADE, primary_key=True,
                                    related_name="activity", verbose_name=_("报名项目"))
    node_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    kind = models.CharField(_("活动类型"), max_length=12, choices=Kind.choices, default=Kind.SPORTS)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place_name = models.CharField(_("活动地点"), max_length=120)
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    cover = models.FileField(_("封面图片"), upload_to="activities/covers/%Y/", blank=True)
    description = models.TextField(_("活动介绍"), blank=True)  # sanitised HTML (kb.sanitize)
    report = models.TextField(_("活动总结"), blank=True)
    reported_at = models.DateTimeField(_("总结时间"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("总结人"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("职工文体活动")
        verbose_name_plural = _("职工文体活动")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="activity_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["node_path", "starts_at"], name="activity_path_start"),
            models.Index(fields=["starts_at"], name="activity_start"),
        ]

    def __str__(self) -> str:
        return self.offering.title if self.offering_id else ""

    def save(self, *args, **kwargs):
        if self.offering_id and not self.node_path:
            self.node_path = self.offering.node_path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return object_url("activities:detail", self.pk)

    @property
    def title(self) -> str:
        return self.offering.title

    @property
    def kind_label(self) -> str:
        return str(self.Kind(self.kind).label)

    @property
    def has_ended(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def phase(self) -> str:
        """draft, cancelled, upcoming, ongoing or ended (for labels and filters)."""
        status = self.offering.status
        if status != "published":
            return status
        now = timezone.now()
        if self.ends_at <= now:
            return "ended"
        if self.starts_at <= now:
            return "ongoing"
        return "upcoming"

    @property
    def phase_label(self) -> str:
        return str(PHASE_LABELS[self.phase])

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


PHASE_LABELS = {
    "draft": _("草稿"), "cancelled": _("已取消"), "upcoming": _("未开始"), "ongoing": _("进行中"),
    "ended": _("已结束"),
}


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos",
                                 verbose_name=_("活动"))
    file = models.FileField(_("照片"), upload_to="activities/photos/%Y/")
    content_type = models.CharField(max_length=40, default="image/jpeg")
    caption = models.CharField(_("说明"), max_length=120, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "activity__node_path"

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")

    def __str__(self) -> str:
        return self.caption or self.file.name
