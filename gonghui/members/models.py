"""The member register (会员实名制): the person (Worker), their memberships and every change of them.

Person and membership are kept apart: a worker is one person across the whole tree (one row per ID
number); a membership ties them to one grassroots union. At most one membership per person is
active (a database constraint), and changes after joining are history rows (MembershipChange).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core import crypto
from gonghui.core.scope import ScopedManager
from gonghui.core.urlcache import object_url
from gonghui.members.vocab import ETHNICITIES  # noqa: F401  (imported from here by the forms and services)


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Education(models.TextChoices):
    PRIMARY = "primary", _("小学及以下")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中/中专/技校")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


class HouseholdType(models.TextChoices):
    URBAN = "urban", _("城镇")
    RURAL = "rural", _("农村")


class Worker(models.Model):
    name = models.CharField(_("姓名"), max_length=60, db_index=True)
    # Search keys kept by members.pinyin on every write: "zhangsan" and "zs" for 张三.
    name_pinyin = models.CharField(max_length=240, db_index=True, editable=False, default="")
    # Indexed with the id (Meta.indexes): PostgreSQL then reads an initials search from the index alone.
    name_initials = models.CharField(max_length=60, editable=False, default="")
    # The ID number is stored encrypted; id_number_hash (keyed) serves exact look-ups.
    id_number_encrypted = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    # Derived from the ID number (and checked against it when a form states them).
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=12, blank=True)
    mobile = models.CharField(_("手机号码"), max_length=11, db_index=True, blank=True)
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    household_type = models.CharField(_("户籍类型"), max_length=8, choices=HouseholdType.choices, blank=True)
    migrant_worker = models.BooleanField(_("农民工"), default=False)
    employer = models.CharField(_("工作单位"), max_length=200, blank=True)
    photo = models.FileField(_("照片"), upload_to="members/photos/", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="worker"
    )
    # Set when an import created the row, so a failed import can be undone completely.
    import_batch = models.ForeignKey("members.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    # A worker is seen by the staff of the unions they are (or were) a member of.
    scope_path = "memberships__node_path"
    scope_distinct = True

    class Meta:
        verbose_name = _("职工")
        verbose_name_plural = _("职工")
        indexes = [models.Index(fields=["name_initials", "id"], name="worker_initials_id")]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, normalised: str) -> None:
        """Encrypts, hashes and masks; also derives gender and birth date (GB 11643)."""
        self.id_number_encrypted = crypto.encrypt(normalised)
        self.id_number_hash = crypto.keyed_hash(normalised)
        self.id_number_masked = crypto.mask_id_number(normalised)
        if len(normalised) == 18 and normalised[:17].isdigit():
            import datetime

            self.gender = Gender.MALE if int(normalised[16]) % 2 else Gender.FEMALE
            try:
                self.birth_date = datetime.date(int(normalised[6:10]), int(normalised[10:12]),
                                                int(normalised[12:14]))
            except ValueError:
                self.birth_date = None

    def full_id_number(self) -> str:
        """Decrypts; callers must audit the view (members.services.reveal_id_number does)."""
        return crypto.decrypt(self.id_number_encrypted)

    def save(self, *args, **kwargs):
        from gonghui.members.pinyin import name_keys

        self.name_pinyin, self.name_initials = name_keys(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_pinyin", "name_initials"}
        super().save(*args, **kwargs)


class Membership(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("在册")
        TRANSFERRED_OUT = "transferred_out", _("已转出")
        RETIRED_RETAINED = "retired_retained", _("退休保留会籍")
        LEFT = "left", _("已退会")
        DECEASED = "deceased", _("已故")

    # Statuses in which the person still belongs to the union (a retained member keeps their card).
    CURRENT = (Status.ACTIVE, Status.RETIRED_RETAINED)

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="memberships")
    union = models.ForeignKey("orgs.UnionNode", verbose_name=_("基层工会"), on_delete=models.PROTECT,
                              related_name="memberships")
    # The union's path, copied (nodes never move), so lists filter a subtree on one indexed column.
    node_path = models.CharField(max_length=255, editable=False, default="")
    # The worker's name_pinyin, copied, so a subtree's list is ordered by pinyin on this table alone.
    sort_name = models.CharField(max_length=240, editable=False, default="")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_changed_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    status_reason = models.CharField(_("变更原因"), max_length=200, blank=True)
    member_number = models.CharField(_("会员号"), max_length=32, unique=True)
    joined_on = models.DateField(_("入会日期"))
    import_batch = models.ForeignKey("members.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node_path"
    scope_node = "union"

    class Meta:
        verbose_name = _("会籍")
        verbose_name_plural = _("会籍")
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=models.Q(status="active"), name="one_active_membership"
            )
        ]
        # The member list at city scale (members/records_listing.py, bench/members_search.py): a
        # subtree in the default order (union, then pinyin) with name prefixes checked in the index;
        # pinyin and join-date order with the path checked in the index; a search that starts from
        # the worker (initials) checking the path without reading the row.
        indexes = [
            models.Index(fields=["node_path", "status"], name="membership_path_status"),
            models.Index(fields=["sort_name", "node_path"], name="membership_sort_name"),
            models.Index(fields=["node_path", "sort_name"], name="membership_path_sort"),
            models.Index(fields=["joined_on", "node_path"], name="membership_joined_path"),
            models.Index(fields=["worker", "node_path", "sort_name"], name="membership_worker_path"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.union}"

    def get_absolute_url(self) -> str:
        return object_url("members:detail", self.pk)

    def save(self, *args, **kwargs):
        if self.union_id and not self.node_path:
            self.node_path = self.union.path
        if self.worker_id and not self.sort_name:
            self.sort_name = self.worker.name_pinyin
        super().save(*args, **kwargs)

    @property
    def status_label(self) -> str:
        # get_status_display() hashes every lazy label on each call; list pages call it per row.
        return str(self.Status(self.status).label)


class MembershipChange(models.Model):
    """One change of a membership after joining: the history the member's record shows.

    Joining itself is the membership's joined_on; a transfer writes "transferred_out" on the old
    membership and "transferred_in" on the new one, so both unions see it in their subtree.
    """

    class Kind(models.TextChoices):
        TRANSFERRED_IN = "transferred_in", _("转入")
        TRANSFERRED_OUT = "transferred_out", _("转出")
        RETAINED = "retained", _("退休保留会籍")
        LEFT = "left", _("退会")
        DECEASED = "deceased", _("去世")
        RESTORED = "restored", _("恢复会籍")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("变更类型"), max_length=20, choices=Kind.choices)
    on = models.DateField(_("变更日期"))
    reason = models.CharField(_("变更原因"), max_length=200, blank=True)
    from_union = models.ForeignKey("orgs.UnionNode", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("转出工会"))
    to_union = models.ForeignKey("orgs.UnionNode", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("转入工会"))
    node_path = models.CharField(max_length=255, editable=False, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("会籍变更")
        verbose_name_plural = _("会籍变更")

    def __str__(self) -> str:
        return f"{self.membership} {self.kind} {self.on}"

    @property
    def kind_label(self) -> str:
        return str(self.Kind(self.kind).label)


class ImportBatch(models.Model):
    """One upload of a member roster into a grassroots union: its checks, its report and its rows."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("已上传")
        CHECKING = "checking", _("校验中")
        MAPPING = "mapping", _("待确认列")
        CHECKED = "checked", _("已校验")
        COMMITTING = "committing", _("导入中")
        COMMITTED = "committed", _("已导入")
        FAILED = "failed", _("失败")
        UNDONE = "undone", _("已撤销")

    union = models.ForeignKey("orgs.UnionNode", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("导入到"))
    node_path = models.CharField(max_length=255, editable=False, db_index=True)
    file = models.FileField(upload_to="members/imports/")
    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.UPLOADED)
    column_mapping = models.JSONField(default=dict, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    rejected_rows = models.PositiveIntegerField(default=0)
    existing_rows = models.PositiveIntegerField(default=0)
    created_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    rejected_file = models.FileField(upload_to="members/imports/rejected/", blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    committed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Touched with every chunk while a pass runs: a batch whose task died (server restart) is
    # found by its silence and undone (members.importing.recover_stalled).
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ScopedManager()
    scope_path = "node_path"
    scope_node = "union"

    # Statuses in which a task is working on the batch (the page polls for progress).
    RUNNING = (Status.CHECKING, Status.COMMITTING)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return object_url("members:import_detail", self.pk)

    @property
    def status_label(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))

    def save(self, *args, **kwargs):
        if self.union_id and not self.node_path:
            self.node_path = self.union.path
        super().save(*args, **kwargs)


class JoinApplication(models.Model):
    """A worker's application to join (入会申请): a case of the "join" type, sharing its id."""

    case = models.OneToOneField("workflow.Case", on_delete=models.CASCADE, primary_key=True,
                                related_name="join_application", verbose_name=_("事项"))
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="join_applications")
    # The union the worker chose: their employer's grassroots union, or (employer without a union)
    # the town or district union, which places them in a joint grassroots union of its area.
    applied_to = models.ForeignKey("orgs.UnionNode", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("申请加入"))
    employer = models.CharField(_("工作单位"), max_length=200)
    employer_has_union = models.BooleanField(_("单位已建工会"), default=True)
    membership = models.OneToOneField(Membership, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="join_application")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "case__node_path"

    class Meta:
        verbose_name = _("入会申请")
        verbose_name_plural = _("入会申请")

    def __str__(self) -> str:
        return f"{self.worker} → {self.applied_to}"


class Transfer(models.Model):
    """A transfer of membership (转会): a case of the "transfer" type, sharing its id.

    The case starts at the old union (release) and moves to the new one (accept); both unions keep
    seeing the transfer through from_path / to_path.
    """

    case = models.OneToOneField("workflow.Case", on_delete=models.CASCADE, primary_key=True,
                                related_name="transfer", verbose_name=_("事项"))
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="transfers")
    from_union = models.ForeignKey("orgs.UnionNode", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("转出工会"))
    to_union = models.ForeignKey("orgs.UnionNode", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("转入工会"))
    from_path = models.CharField(max_length=255, editable=False, db_index=True)
    to_path = models.CharField(max_length=255, editable=False, db_index=True)
    reason = models.CharField(_("转会原因"), max_length=200)
    new_membership = models.OneToOneField(Membership, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="transferred_from")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "from_path"
    scope_node = "from_union"

    class Meta:
        verbose_name = _("转会")
        verbose_name_plural = _("转会")

    def __str__(self) -> str:
        return f"{self.membership.worker} {self.from_union} → {self.to_union}"

    def save(self, *args, **kwargs):
        self.from_path = self.from_path or self.from_union.path
        self.to_path = self.to_path or self.to_union.path
        super().save(*args, **kwargs)


class MemberNumberSequence(models.Model):
    """One row: the last member number handed out (members.numbers allocates them in blocks)."""

    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("会员号序列")

    def __str__(self) -> str:
        return str(self.last)
