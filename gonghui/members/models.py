"""Workers and their membership (the minimal version; the members issue deepens both)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core import crypto
from gonghui.core.scope import ScopedManager
from gonghui.core.urlcache import object_url


class Worker(models.Model):
    name = models.CharField(_("姓名"), max_length=60)
    # The ID number is stored encrypted; id_number_hash (keyed) serves exact look-ups.
    id_number_encrypted = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    mobile = models.CharField(_("手机号码"), max_length=11, db_index=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="worker"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    # A worker is seen by the staff of the unions they are a member of.
    scope_path = "memberships__union__path"
    scope_distinct = True

    class Meta:
        verbose_name = _("职工")
        verbose_name_plural = _("职工")

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, normalised: str) -> None:
        self.id_number_encrypted = crypto.encrypt(normalised)
        self.id_number_hash = crypto.keyed_hash(normalised)
        self.id_number_masked = crypto.mask_id_number(normalised)

    def full_id_number(self) -> str:
        """Decrypts; callers must audit the view (members.services.reveal_id_number does)."""
        return crypto.decrypt(self.id_number_encrypted)


class Membership(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("在册")
        TRANSFERRED_OUT = "transferred_out", _("已转出")
        RETIRED_RETAINED = "retired_retained", _("退休保留会籍")
        LEFT = "left", _("已退会")
        DECEASED = "deceased", _("已故")

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="memberships")
    union = models.ForeignKey("orgs.UnionNode", verbose_name=_("基层工会"), on_delete=models.PROTECT,
                              related_name="memberships")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    member_number = models.CharField(_("会员号"), max_length=32, unique=True)
    joined_on = models.DateField(_("入会日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "union__path"

    class Meta:
        verbose_name = _("会籍")
        verbose_name_plural = _("会籍")
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=models.Q(status="active"), name="one_active_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.union}"

    def get_absolute_url(self) -> str:
        return object_url("members:detail", self.pk)

    @property
    def status_label(self) -> str:
        # get_status_display() hashes every lazy label on each call; list pages call it per row.
        return str(self.Status(self.status).label)
