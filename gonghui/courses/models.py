"""职工教育培训: courses on the enrolment mechanism, their sessions, roll call, exam scores,
certificates, training subsidies and targets; and the education uplift plan (models_uplift.py).

A ``Course`` keeps its own fields beside an ``enrolment.Offering`` (kind "course"), sharing its id.
The trainees are the offering's confirmed enrolments. Whether a trainee passed is a plain rule
(``rules.evaluate``: attendance share and exam score); passing issues a ``Certificate`` (a number,
a PDF with a QR code to the public verify page) and writes a ledger row. Targets ("培训300名育婴师")
count certificates, never sign-ups.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager
from gonghui.core.urlcache import object_url
from gonghui.courses.models_uplift import *  # noqa: F403

MONEY = {"max_digits": 12, "decimal_places": 2}
SCORE = {"max_digits": 5, "decimal_places": 1}


class Course(models.Model):
    """A training course (e.g. 育婴师（四级）培训班), one-to-one with its offering."""

    offering = models.OneToOneField("enrolment.Offering", on_delete=models.CASCADE, primary_key=True,
                                    related_name="course", verbose_name=_("报名项目"))
    # Copy of the organiser's path (offering.node_path): the scope column.
    node_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    occupation = models.CharField(_("培训职业（工种）"), max_length=60, help_text=_("例如：育婴师、养老护理员、电工。"))
    certifying_body = models.CharField(_("发证机构"), max_length=120)
    level = models.CharField(_("等级"), max_length=40, blank=True, help_text=_("例如：四级/中级工。"))
    description = models.TextField(_("课程介绍"), blank=True)
    starts_on = models.DateField(_("开课日期"))
    ends_on = models.DateField(_("结课日期"))
    min_attendance_pct = models.PositiveSmallIntegerField(_("出勤率要求（%）"), default=80)
    pass_score = models.DecimalField(_("考试合格分数"), default=60, **SCORE)
    subsidy_per_trainee = models.DecimalField(_("每人培训补贴（元）"), default=0, **MONEY)
    evaluated_at = models.DateTimeField(_("评定时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        verbose_name = _("培训课程")
        verbose_name_plural = _("培训课程")
        ordering = ("-starts_on", "-offering_id")
        constraints = [
            models.CheckConstraint(condition=Q(min_attendance_pct__lte=100), name="course_attendance_pct_max"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="course_dates_order"),
        ]
        indexes = [models.Index(fields=["node_path", "starts_on"], name="course_path_starts")]

    def __str__(self) -> str:
        return self.offering.title if self.offering_id else self.occupation

    def save(self, *args, **kwargs):
        if self.offering_id and not self.node_path:
            self.node_path = self.offering.node_path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return object_url("courses:console_course", self.pk)

    @property
    def title(self) -> str:
        return self.offering.title


class CourseSession(models.Model):
    """One class (课次): when, where, who teaches, what."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("课程"))
    node_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    teacher = models.CharField(_("授课教师"), max_length=60)
    place = models.CharField(_("上课地点"), max_length=200)
    topic = models.CharField(_("内容"), max_length=200)
    roll_called_at = models.DateTimeField(_("点名时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        verbose_name = _("课次")
        verbose_name_plural = _("课次")
        ordering = ("starts_at", "id")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="course_session_times_order")]

    def __str__(self) -> str:
        return f"{self.topic}（{self.starts_at:%Y-%m-%d}）"

    def save(self, *args, **kwargs):
        if self.course_id and not self.node_path:
            self.node_path = self.course.node_path
        super().save(*args, **kwargs)


class SessionAttendance(models.Model):
    """Roll call: whether one trainee was present at one session (one row each)."""

    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey("enrolment.Enrolment", on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField(_("出勤"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_path = "session__node_path"

    class Meta:
        verbose_name = _("出勤记录")
        verbose_name_plural = _("出勤记录")
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="course_attendance_once")]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.enrolment_id}: {self.present}"


class ExamResult(models.Model):
    """A trainee's exam score (a retake replaces the score)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="results")
    enrolment = models.ForeignKey("enrolment.Enrolment", on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(_("成绩"), **SCORE)
    taken_on = models.DateField(_("考试日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_path = "course__node_path"

    class Meta:
        verbose_name = _("考试成绩")
        verbose_name_plural = _("考试成绩")
        constraints = [
            models.UniqueConstraint(fields=["course", "enrolment"], name="course_result_once"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="course_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.score}"


class Certificate(models.Model):
    """培训合格证书: issued when a trainee passes; checked by anyone on /certificates/verify/."""

    number = models.CharField(_("证书编号"), max_length=32, unique=True)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    enrolment = models.OneToOneField("enrolment.Enrolment", on_delete=models.PROTECT, related_name="certificate")
    node_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    worker = models.ForeignKey("members.Worker", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="training_certificates")
    worker_name = models.CharField(_("姓名"), max_length=60)
    attendance_pct = models.DecimalField(_("出勤率（%）"), max_digits=5, decimal_places=1)
    score = models.DecimalField(_("成绩"), **SCORE)
    issued_on = models.DateField(_("发证日期"))
    revoked = models.BooleanField(_("已撤销"), default=False)
    revoked_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        verbose_name = _("培训合格证书")
        verbose_name_plural = _("培训合格证书")
        ordering = ("-issued_on", "-id")
        indexes = [models.Index(fields=["node_path", "issued_on"], name="course_cert_path_issued")]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if self.course_id and not self.node_path:
            self.node_path = self.course.node_path
        super().save(*args, **kwargs)


class TrainingSubsidy(models.Model):
    """A training subsidy paid to one trainee of one course (a ledger row each)."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="subsidies")
    enrolment = models.ForeignKey("enrolment.Enrolment", on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey("members.Worker", on_delete=models.PROTECT, related_name="training_subsidies")
    node_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    amount = models.DecimalField(_("补贴金额（元）"), **MONEY)
    paid_on = models.DateField(_("发放日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node_path"

    class Meta:
        verbose_name = _("培训补贴")
        verbose_name_plural = _("培训补贴")
        ordering = ("-paid_on", "-id")
        constraints = [
            models.UniqueConstraint(fields=["course", "enrolment"], name="course_subsidy_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="course_subsidy_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id}: {self.amount}"

    def save(self, *args, **kwargs):
        if self.course_id and not self.node_path:
            self.node_path = self.course.node_path
        super().save(*args, **kwargs)


class TrainingTarget(models.Model):
    """A yearly target (目标任务), e.g. 江海市总工会 2026年培训育婴师300名: progress counts passes."""

    node = models.ForeignKey("orgs.UnionNode", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("工会"))
    node_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    year = models.PositiveSmallIntegerField(_("年度"))
    occupation = models.CharField(_("培训职业（工种）"), max_length=60)
    target = models.PositiveIntegerField(_("目标人数"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_path = "node_path"
    scope_node = "node"

    class Meta:
        verbose_name = _("培训目标")
        verbose_name_plural = _("培训目标")
        ordering = ("-year", "node_path", "occupation")
        constraints = [
            models.UniqueConstraint(fields=["node", "year", "occupation"], name="course_target_once"),
            models.CheckConstraint(condition=Q(target__gte=1), name="course_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.occupation} {self.target}"

    def save(self, *args, **kwargs):
        if self.node_id and not self.node_path:
            self.node_path = self.node.path
        super().save(*args, **kwargs)
