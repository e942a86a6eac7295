"""The education uplift plan (学历与能力提升计划, 求学圆梦): a migrant worker's application is a case of
the "education_uplift" type (uplift.py), sharing its id. Proof of enrolment and proof of graduation
each unlock half of the approved subsidy: one ``UpliftInstalment`` (and one ledger row) per half.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager
from gonghui.core.urlcache import object_url

__all__ = ["UpliftApplication", "UpliftInstalment"]

MONEY = {"max_digits": 12, "decimal_places": 2}


class UpliftApplication(models.Model):
    class Level(models.TextChoices):
        DIPLOMA = "diploma", _("学历提升")
        SKILLS = "skills", _("技能提升")

    case = models.OneToOneField("workflow.Case", on_delete=models.CASCADE, primary_key=True,
                                related_name="education_uplift", verbose_name=_("事项"))
    worker = models.ForeignKey("members.Worker", on_delete=models.PROTECT, related_name="uplift_applications",
                               verbose_name=_("申请人"))
    school = models.CharField(_("就读院校（培训机构）"), max_length=120)
    programme = models.CharField(_("专业（项目）"), max_length=120)
    level = models.CharField(_("类别"), max_length=10, choices=Level.choices)
    fee = models.DecimalField(_("学费（元）"), **MONEY)
    subsidy_asked = models.DecimalField(_("申请补贴（元）"), **MONEY)
    subsidy_approved = models.DecimalField(_("批准补贴（元）"), null=True, blank=True, **MONEY)
    enrolment_proof = models.ForeignKey("workflow.CaseAttachment", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name=_("入学证明"))
    graduation_proof = models.ForeignKey("workflow.CaseAttachment", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+", verbose_name=_("毕业证明"))
    approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "case__node_path"

    class Meta:
        verbose_name = _("学历与能力提升申请")
        verbose_name_plural = _("学历与能力提升申请")
        constraints = [models.CheckConstraint(condition=Q(subsidy_asked__lte=models.F("fee")),
                                              name="uplift_subsidy_within_fee")]

    def __str__(self) -> str:
        return f"{self.worker} · {self.school} {self.programme}"

    def get_absolute_url(self) -> str:
        return object_url("workflow:case", self.pk)

    @property
    def level_label(self) -> str:
        return str(self.Level(self.level).label)


class UpliftInstalment(models.Model):
    """Half of an approved uplift subsidy, paid on proof (1: enrolment, 2: graduation)."""

    class Half(models.IntegerChoices):
        ENROLMENT = 1, _("入学后发放（首期）")
        GRADUATION = 2, _("毕业后发放（二期）")

    application = models.ForeignKey(UpliftApplication, on_delete=models.PROTECT, related_name="instalments")
    half = models.PositiveSmallIntegerField(_("期次"), choices=Half.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    paid_on = models.DateField(_("发放日期"))
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "application__case__node_path"

    class Meta:
        verbose_name = _("学历提升补贴发放")
        verbose_name_plural = _("学历提升补贴发放")
        ordering = ("half",)
        constraints = [models.UniqueConstraint(fields=["application", "half"], name="uplift_instalment_once")]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.half}: {self.amount}"

    @property
    def half_label(self) -> str:
        return str(self.Half(self.half).label)
