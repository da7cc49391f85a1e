"""Users, their role grants on the organization tree, API tokens, login attempts and the
second factor (TOTP) of town admins."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from qiangji.core.access import ROLE_LABELS, SECRETARY, TOWN_ADMIN, VISITOR, get_scope
from qiangji.core.concurrency import Versioned
from qiangji.core.crypto import EncryptedTextField


class User(Versioned, AbstractUser):
    """A person who logs in. Roles come from grants, liaison groups and a linked member record."""

    # What an administrator edits; a login or a password reset does not refuse their page.
    EDIT_FIELDS = VERSION_FIELDS = ("display_name", "is_active")

    display_name = models.CharField("姓名", max_length=50, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # Set when an administrator chose the password (a new account, a reset): only its owner
    # should know a password, so the next login goes to the change-password page first.
    must_change_password = models.BooleanField("须修改密码", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def last_edit(self):
        """(who, when) of the latest administrator's change, from the audit log (accounts keep
        no change history)."""
        from qiangji.core.models import AuditEvent

        event = (
            AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT, object_type=self._meta.label, object_id=str(self.pk))
            .filter(detail__op="update")
            .select_related("user")
            .order_by("-at", "-id")
            .first()
        )
        if event is None:
            return None
        return (str(event.user) if event.user else event.username or "系统"), event.at

    @property
    def scope(self):
        return get_scope(self)

    @property
    def role_labels(self) -> list[str]:
        return [ROLE_LABELS[r] for r in ROLE_LABELS if r in self.scope.roles]

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()
        # Any password the user sets is their own; the services that set a temporary one raise
        # the flag again after calling this.
        self.must_change_password = False

    @property
    def password_expired(self) -> bool:
        if self.password_changed_at is None:
            return False
        age = timezone.now() - self.password_changed_at
        return age.days >= settings.PASSWORD_MAX_AGE_DAYS


class RoleGrant(models.Model):
    """A role given to a user on an organization; it covers that organization's subtree."""

    class Role(models.TextChoices):
        TOWN_ADMIN = TOWN_ADMIN, ROLE_LABELS[TOWN_ADMIN]
        SECRETARY = SECRETARY, ROLE_LABELS[SECRETARY]
        VISITOR = VISITOR, ROLE_LABELS[VISITOR]

    user = models.ForeignKey(User, verbose_name="用户", related_name="grants", on_delete=models.CASCADE)
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    organization = models.ForeignKey("orgs.Organization", verbose_name="党组织", related_name="grants", on_delete=models.CASCADE)
    title = models.CharField("职务", max_length=30, blank=True, help_text="如：书记、副书记、党务工作者")
    created_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organization"], name="unique_role_grant"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        """Neither revoked nor expired (a password change is checked per token: `usable`)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A bearer token for scripts and apps; only its SHA-256 is stored.

    It dies when revoked, QIANGJI_API_TOKEN_DAYS after issue (`expires_at`), when its owner's
    password changes (`password_fingerprint` no longer matches) or the account is deactivated.
    """

    user = models.ForeignKey(User, related_name="api_tokens", on_delete=models.CASCADE)
    name = models.CharField("用途", max_length=60)
    prefix = models.CharField("前缀", max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间", null=True)
    # The owner's session hash when the token was issued (an HMAC of the password hash): the
    # password changes, the fingerprint no longer matches, the token is dead like the sessions.
    password_fingerprint = models.CharField(max_length=128, blank=True, editable=False)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "qj_" + secrets.token_urlsafe(32)

    @staticmethod
    def fingerprint(user: User) -> str:
        return user.get_session_auth_hash()

    @property
    def expired(self) -> bool:
        return self.expires_at is None or self.expires_at <= timezone.now()

    @property
    def password_changed(self) -> bool:
        return not self.password_fingerprint or not constant_time_compare(self.password_fingerprint, self.fingerprint(self.user))

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and not self.expired and self.user.is_active and not self.password_changed

    @property
    def state_label(self) -> str:
        if self.revoked_at is not None:
            return "已吊销"
        if self.expired:
            return "已过期"
        if self.password_changed:
            return "已失效（密码已修改）"
        if not self.user.is_active:
            return "已失效（账号已停用）"
        return "有效"


class LoginAttempt(models.Model):
    """Every login attempt, kept to lock an account after repeated failures."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录尝试"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} {'成功' if self.succeeded else '失败'} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


class TotpDevice(models.Model):
    """A town admin's authenticator (RFC 6238 TOTP): the shared secret, encrypted at rest.

    Unconfirmed until its owner has typed one code from it, so that a secret which never made it
    into an app cannot lock anyone out. `last_step` refuses a code that was already used.
    """

    user = models.OneToOneField(User, verbose_name="用户", related_name="totp_device", on_delete=models.CASCADE)
    secret = EncryptedTextField("密钥")
    confirmed_at = models.DateTimeField("启用时间", null=True, blank=True)
    last_step = models.BigIntegerField("最近使用的时间片", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "双因素认证设备"

    def __str__(self) -> str:
        return f"{self.user} 的身份验证器"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None
