"""Append-only audit trail of what people did."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager, ScopedQuerySet


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        CHANGE = "change", _("修改")
        DELETE = "delete", _("删除")
        WORKFLOW = "workflow", _("流程")
        IMPORT = "import", _("导入")
        EXPORT = "export", _("导出")
        VIEW_PERSONAL = "view_personal", _("查看个人信息")
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        SECURITY = "security", _("安全")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    event = models.CharField(max_length=100, blank=True)  # a named domain event, e.g. "grant.created"
    object_type = models.CharField(max_length=100, blank=True, db_index=True)  # "orgs.unionnode"
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # The union node the object belongs to: the audit is scoped like the object.
    node = models.ForeignKey("orgs.UnionNode", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField(default=dict, blank=True)  # {field: [old, new]}
    extra = models.JSONField(default=dict, blank=True)

    objects = ScopedManager.from_queryset(AuditQuerySet)()
    scope_path = "node__path"

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]

    @property
    def action_label(self) -> str:
        # get_action_display() hashes every lazy label on each call; the list calls it per row.
        return str(self.Action(self.action).label)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
