"""The organisation tree: every union and federation is one node.

The tree is a materialised path: each node's ``path`` is its parent's path plus a fixed-width
step, so a subtree is one indexed prefix query (``path LIKE 'P%'``) on SQLite and PostgreSQL.
On PostgreSQL the column is collated "C" (migration 0002) so prefix order is byte order.
We keep the path ourselves instead of django-treebeard's MP_Node: treebeard's internals read
through ``Model.objects``, which here is the fail-closed scoped manager (see core/scope.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager, subtree_q
from gonghui.core.urlcache import object_url

STEP_LEN = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def encode_step(number: int) -> str:
    if number >= len(ALPHABET) ** STEP_LEN:
        raise ValueError("too many children under one node")
    digits = []
    for _i in range(STEP_LEN):
        number, rem = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[rem])
    return "".join(reversed(digits))


def decode_step(step: str) -> int:
    value = 0
    for char in step:
        value = value * len(ALPHABET) + ALPHABET.index(char)
    return value


class UnionNode(models.Model):
    class Kind(models.TextChoices):
        PROVINCE_FEDERATION = "province_federation", _("省总工会")
        CITY_FEDERATION = "city_federation", _("市总工会")
        DISTRICT_FEDERATION = "district_federation", _("区/县总工会")
        TOWN_UNION = "town_union", _("街道/乡镇工会")
        GRASSROOTS_UNION = "grassroots_union", _("基层工会")
        JOINT_GRASSROOTS_UNION = "joint_grassroots_union", _("联合基层工会")
        DEPARTMENT = "department", _("部门")
        SERVICE_CENTRE = "service_centre", _("服务中心")

    # Kinds that hold members; the others organise and serve.
    MEMBER_KINDS = (Kind.GRASSROOTS_UNION, Kind.JOINT_GRASSROOTS_UNION)
    # Departments and service centres are parts of a federation, not unions with their own code.
    UNION_KINDS = (
        Kind.PROVINCE_FEDERATION, Kind.CITY_FEDERATION, Kind.DISTRICT_FEDERATION, Kind.TOWN_UNION,
        Kind.GRASSROOTS_UNION, Kind.JOINT_GRASSROOTS_UNION,
    )

    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    # Search keys of the name (members.pinyin.name_keys), kept by orgs.services on every write, so
    # the portal's union search is an indexed prefix query: "jiangha…" and "jhjx" for 江海机械….
    name_pinyin = models.CharField(max_length=240, db_index=True, editable=False, default="")
    name_initials = models.CharField(max_length=60, db_index=True, editable=False, default="")
    kind = models.CharField(_("类别"), max_length=32, choices=Kind.choices)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级工会"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "path"

    class Meta:
        verbose_name = _("工会组织")
        verbose_name_plural = _("工会组织")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(uscc=""), name="unionnode_unique_uscc"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return object_url("orgs:detail", self.pk)

    @property
    def kind_label(self) -> str:
        # get_kind_display() hashes every lazy label on each call: 50 rows cost milliseconds.
        return str(self.Kind(self.kind).label)

    @property
    def holds_members(self) -> bool:
        return self.kind in self.MEMBER_KINDS

    def ancestor_paths(self) -> list[str]:
        return [self.path[:i] for i in range(STEP_LEN, len(self.path), STEP_LEN)]

    def ancestors(self):
        """The nodes above this one, root first (unscoped: a breadcrumb names them all)."""
        return UnionNode.objects.unscoped().filter(path__in=self.ancestor_paths()).order_by("depth")

    def subtree(self):
        """This node and every node below it (unscoped)."""
        return UnionNode.objects.unscoped().filter(subtree_q("path", self.path))

    def is_in_subtree_of(self, other: "UnionNode") -> bool:
        return self.path.startswith(other.path)
