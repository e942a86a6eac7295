"""The ledger of services delivered (DESIGN idea 3): one row per service a worker received.

Every module that delivers something (aid paid, a course attended, legal aid given) records it
through ``ledger.services.record_service``; the member's record, "my services", the year's targets
and the dashboard read this one table. The source object and the kind make a row idempotent.
Membership changes are history (members.MembershipChange), not services.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager


class ServiceRecord(models.Model):
    worker = models.ForeignKey("members.Worker", on_delete=models.PROTECT, related_name="services",
                               verbose_name=_("职工"))
    kind = models.CharField(_("服务类别"), max_length=40, db_index=True)
    app = models.CharField(_("业务模块"), max_length=30)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    title = models.CharField(_("服务内容"), max_length=200)
    delivering_union = models.ForeignKey("orgs.UnionNode", on_delete=models.PROTECT, related_name="+",
                                         verbose_name=_("服务工会"))
    # The worker's union when the service was delivered (None: not a member then).
    member_union = models.ForeignKey("orgs.UnionNode", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("所在工会"))
    # Scope: the member's union then, or the delivering union for a worker who was not a member.
    node_path = models.CharField(max_length=255, editable=False)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    delivered_on = models.DateField(_("服务日期"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id", "kind"], name="one_service_per_source_kind")
        ]
        indexes = [
            models.Index(fields=["worker", "delivered_on"], name="service_worker_date"),
            models.Index(fields=["node_path", "delivered_on"], name="service_path_date"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.title} {self.delivered_on}"
