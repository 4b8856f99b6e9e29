"""Messages to people inside the application (the bell), mailed too when mail is configured."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_user(self, user):
        if not user or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class Notification(models.Model):
    """One message to one person inside the application (the bell); mailed too when mail is configured."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="接收人"
    )
    kind = models.CharField("类型", max_length=40)
    text = models.CharField("内容", max_length=500)
    url = models.CharField("链接", max_length=500, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "通知"
        verbose_name_plural = verbose_name
        indexes = [
            # The bell counts one person's unread messages on every page.
            models.Index(fields=["user", "created_at"], name="notification_user_idx"),
            models.Index(
                fields=["user"], name="notification_unread_idx", condition=Q(read_at__isnull=True)
            ),
        ]

    def __str__(self):
        return self.text
