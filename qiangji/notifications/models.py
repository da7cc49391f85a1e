"""The in-app inbox (one notification per recipient, idempotent by its key) and the group robots
of WeCom and DingTalk chats that hear an organization's notices too."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from qiangji.core.crypto import EncryptedTextField


class NotificationQuerySet(models.QuerySet):
    """Notifications are personal: a user only ever lists their own."""

    def for_recipient(self, user) -> "NotificationQuerySet":
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message in one user's inbox (站内通知), e-mailed too when the deployment has a mail host.

    `key` names the occasion (e.g. "term:42:2026-11-01:1m"): the same key is never sent twice to
    the same recipient, so a job that runs twice or late can simply send again.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", related_name="notifications", on_delete=models.CASCADE
    )
    kind = models.CharField("类别", max_length=30)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    key = models.CharField("幂等键", max_length=150, blank=True)
    created_at = models.DateTimeField("发送时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], condition=~Q(key=""), name="unique_notification_key"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


# What a group chat can subscribe to, by the `kind` of the notices it would receive.
TOPICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "problems": ("问题整改（交办、退回、销号、超期）", ("problem", "problem_overdue")),
    "meetings": ("会议列席通知", ("liaison_meeting",)),
    "plans": ("工作计划退回", ("plan_returned",)),
    "terms": ("换届提醒", ("term_reminder",)),
}


class GroupChannelQuerySet(models.QuerySet):
    def reaching(self, organization) -> "GroupChannelQuerySet":
        """Enabled channels that hear about `organization`: those of it, of the organizations above
        it, and of the liaison groups that cover it or an organization above it."""
        path = organization.path
        ancestors = [path[:i] for i in range(1, len(path) + 1) if path[i - 1] == "/"] or [path]
        return (
            self.filter(enabled=True)
            .filter(Q(organization__path__in=ancestors) | Q(liaison_group__organizations__path__in=ancestors))
            .distinct()
        )


class GroupChannel(models.Model):
    """A WeCom (企业微信) or DingTalk (钉钉) group robot that receives an organization's or a
    liaison group's notices, beside each person's inbox.

    The webhook address and DingTalk's signing secret are credentials of the chat: kept encrypted
    and never shown again after they are saved.
    """

    class Platform(models.TextChoices):
        WECOM = "wecom", "企业微信群机器人"
        DINGTALK = "dingtalk", "钉钉群机器人"

    name = models.CharField("名称", max_length=60)
    platform = models.CharField("平台", max_length=10, choices=Platform.choices)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    liaison_group = models.ForeignKey(
        "orgs.LiaisonGroup", verbose_name="指导联络组", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    webhook = EncryptedTextField("Webhook 地址")
    secret = EncryptedTextField("加签密钥", blank=True, default="")
    topics = models.JSONField("推送内容", default=list)
    enabled = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = GroupChannelQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "群机器人"
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=False, liaison_group__isnull=True)
                | Q(organization__isnull=True, liaison_group__isnull=False),
                name="group_channel_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_platform_display()}）"

    @property
    def owner(self):
        return self.organization or self.liaison_group

    def hears(self, kind: str) -> bool:
        return any(kind in TOPICS[t][1] for t in self.topics if t in TOPICS)

    @property
    def topic_labels(self) -> list[str]:
        return [TOPICS[t][0] for t in self.topics if t in TOPICS]


class ChannelDelivery(models.Model):
    """One notice posted (or to be posted) to one group robot, with how each attempt ended.

    Idempotent by (channel, key) like the inbox: the same occasion reaches a chat once, however
    many recipients or reruns it has. The worker posts it; a failure is retried with a growing pause.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已送达"
        FAILED = "failed", "发送失败"

    channel = models.ForeignKey(GroupChannel, verbose_name="群机器人", on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField("类别", max_length=30)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    key = models.CharField("幂等键", max_length=150, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("失败原因", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "群消息投递"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], condition=~Q(key=""), name="unique_channel_delivery_key"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} · {self.title}（{self.get_status_display()}）"
