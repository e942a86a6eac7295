from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedManager


class User(AbstractUser):
    class Kind(models.TextChoices):
        STAFF = "staff", _("工会干部")
        WORKER = "worker", _("职工")
        PARTNER = "partner", _("合作方")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.STAFF)
    # Workers sign in with their mobile number and a one-time code.
    phone = models.CharField(_("手机号码"), max_length=11, unique=True, null=True, blank=True)
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_worker(self) -> bool:
        return self.kind == self.Kind.WORKER


class Session(AbstractBaseSession):
    """A browser's session (Django's), with the user it signs in as a column of its own: every request
    reads its session and its user in ONE statement (``session_store``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name=_("用户"))

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("会话")
        verbose_name_plural = _("会话")

    @classmethod
    def get_session_store_class(cls):
        from gonghui.accounts.session_store import SessionStore

        return SessionStore


class Grant(models.Model):
    """A role held at a union node; it covers the node's whole subtree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants")
    node = models.ForeignKey("orgs.UnionNode", verbose_name=_("工会组织"), on_delete=models.CASCADE,
                             related_name="grants")
    role = models.CharField(_("角色"), max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_path = "node__path"

    class Meta:
        verbose_name = _("授权")
        constraints = [models.UniqueConstraint(fields=["user", "node", "role"], name="grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.node} ({self.role})"


class LoginCode(models.Model):
    """A one-time code sent to a worker's mobile; only its hash is kept."""

    phone = models.CharField(max_length=11, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    ip = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"login code for {self.phone[:3]}****{self.phone[-4:]}"


class ApiToken(models.Model):
    """A bearer token for mobile clients; only the SHA-256 of the token is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
