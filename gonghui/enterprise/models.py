"""Enterprise visits and problems (进企业、解难题).

Staff record a visit to an enterprise and each problem found there; every problem is a case of the
workflow engine (type ``enterprise_problem``, casetype.py) and shares the case's id.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager
from gonghui.core.urlcache import object_url


class Industry(models.TextChoices):
    """The sections of GB/T 4754-2017 (国民经济行业分类), by their letter."""

    A = "A", _("农、林、牧、渔业")
    B = "B", _("采矿业")
    C = "C", _("制造业")
    D = "D", _("电力、热力、燃气及水生产和供应业")
    E = "E", _("建筑业")
    F = "F", _("批发和零售业")
    G = "G", _("交通运输、仓储和邮政业")
    H = "H", _("住宿和餐饮业")
    I = "I", _("信息传输、软件和信息技术服务业")  # noqa: E741 (the standard's letter)
    J = "J", _("金融业")
    K = "K", _("房地产业")
    L = "L", _("租赁和商务服务业")
    M = "M", _("科学研究和技术服务业")
    N = "N", _("水利、环境和公共设施管理业")
    O = "O", _("居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("教育")
    Q = "Q", _("卫生和社会工作")
    R = "R", _("文化、体育和娱乐业")
    S = "S", _("公共管理、社会保障和社会组织")
    T = "T", _("国际组织")


class Enterprise(models.Model):
    name = models.CharField(_("企业名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    industry = models.CharField(_("行业"), max_length=1, choices=Industry.choices, blank=True)
    employees = models.PositiveIntegerField(_("职工人数"), null=True, blank=True)
    contact_person = models.CharField(_("企业联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    # The enterprise's own grassroots union, when it has one.
    union = models.ForeignKey("orgs.UnionNode", verbose_name=_("企业工会"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    # The union responsible for visiting it: the enterprise belongs to this node's subtree.
    node = models.ForeignKey("orgs.UnionNode", verbose_name=_("联系工会"), on_delete=models.PROTECT,
                             related_name="enterprises")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node__path"

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~models.Q(uscc=""), name="enterprise_unique_uscc"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return object_url("enterprise:detail", self.pk)

    @property
    def industry_label(self) -> str:
        return str(Industry(self.industry).label) if self.industry else ""


class Visit(models.Model):
    """One visit of a union's staff to an enterprise (走访)."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="visits")
    # The visiting union: the enterprise's own contact union or a union above it.
    node = models.ForeignKey("orgs.UnionNode", verbose_name=_("走访工会"), on_delete=models.PROTECT,
                             related_name="enterprise_visits")
    visited_on = models.DateField(_("走访日期"), db_index=True)
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("走访人员"), blank=True,
                                   related_name="enterprise_visits")
    other_participants = models.CharField(_("其他走访人员"), max_length=300, blank=True)
    met_with = models.CharField(_("接待人员"), max_length=300, blank=True)
    notes = models.TextField(_("走访情况"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node__path"

    class Meta:
        verbose_name = _("企业走访")
        verbose_name_plural = _("企业走访")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.visited_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return object_url("enterprise:visit", self.pk)


class Problem(models.Model):
    """A problem found on a visit; its handling is the workflow case it shares its id with."""

    class Kind(models.TextChoices):
        WAGES = "wages", _("工资与欠薪")
        LABOUR_RELATIONS = "labour_relations", _("劳动关系")
        SAFETY = "safety", _("安全生产")
        EMPLOYMENT = "employment", _("就业与技能")
        WELFARE = "welfare", _("职工福利")
        UNION_BUILDING = "union_building", _("工会建设")
        BUSINESS = "business", _("经营困难")
        OTHER = "other", _("其他")

    case = models.OneToOneField("workflow.Case", primary_key=True, on_delete=models.CASCADE,
                                related_name="enterprise_problem", verbose_name=_("事项"))
    visit = models.ForeignKey(Visit, verbose_name=_("走访"), on_delete=models.PROTECT, related_name="problems")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="problems")
    kind = models.CharField(_("问题类别"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("问题描述"))
    # The latest solution, copied from the "solve" step (the timeline keeps every step).
    solution = models.TextField(_("解决情况"), blank=True)

    objects = ScopedManager()
    # Whoever owns the case now (it moves on 转办) sees the problem.
    scope_path = "case__node_path"

    class Meta:
        verbose_name = _("企业难题")
        verbose_name_plural = _("企业难题")

    def __str__(self) -> str:
        return f"{self.kind_label}：{self.description[:30]}"

    def get_absolute_url(self) -> str:
        return object_url("workflow:case", self.pk)

    @property
    def kind_label(self) -> str:
        return str(self.Kind(self.kind).label)
