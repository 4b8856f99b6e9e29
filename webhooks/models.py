"""Subscriptions of other systems to events (Webhook), and each event's delivery to one of them with every attempt.

The Delivery row is the source of truth for sending: a task lost with the broker leaves the row pending, and the
sweeper (`webhooks.tasks.retry_webhook_deliveries`) queues it again once `next_attempt_at` has passed.
"""
from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from organisations.models import Organisation

from . import events

SECRET_MIN_LENGTH = 16
SECRET_MAX_LENGTH = 128


def validate_webhook_url(value: str) -> None:
    """Any http(s) address the office names, intranet names and loopback included (a receiver on the same
    intranet is the common case); no user name or password in it: the signature is the credential."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ValidationError("地址格式不正确。") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValidationError("推送地址须以 http:// 或 https:// 开头。")
    if not parts.hostname:
        raise ValidationError("推送地址缺少主机名。")
    if parts.username or parts.password:
        raise ValidationError("推送地址中不能包含用户名或密码；接收方请用签名验证来源。")
    if any(ch.isspace() for ch in value):
        raise ValidationError("推送地址中不能包含空格。")


class Webhook(models.Model):
    """One unit's subscription: POST the listed events of the unit and of every unit below it to `url`."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhooks", verbose_name="所属单位",
        help_text="推送本单位及下级单位的事件",
    )
    url = models.CharField("推送地址", max_length=500, validators=[validate_webhook_url])
    events = models.JSONField("订阅事件", default=list)
    # Kept in the clear because every delivery is signed with it (HMAC); never shown back after creation.
    secret = models.CharField("签名密钥", max_length=SECRET_MAX_LENGTH)
    active = models.BooleanField("启用", default=True)
    description = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="创建人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        ordering = ["organisation__path", "id"]
        verbose_name = "接口推送"
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.organisation} → {self.url}"

    def clean(self):
        try:
            self.events = events.normalise(self.events)
        except ValueError as exc:
            raise ValidationError({"events": str(exc)}) from None
        if not self.events:
            raise ValidationError({"events": "请至少选择一个订阅事件。"})
        if len(self.secret or "") < SECRET_MIN_LENGTH:
            raise ValidationError({"secret": f"签名密钥至少 {SECRET_MIN_LENGTH} 个字符。"})

    def event_labels(self) -> list[str]:
        return [events.label(code) for code in self.events]

    def get_additional_data(self):
        return {"organisation": self.organisation_id}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    DELIVERED = "delivered", "已送达"
    FAILED = "failed", "失败"


class Delivery(models.Model):
    """One event for one webhook: the body it is sent with, and where its sending stands."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name="接口推送")
    event = models.CharField("事件", max_length=40)
    # The event's id: the same for every webhook the event goes to, so a receiver can drop a repeat.
    event_id = models.UUIDField("事件编号", default=uuid.uuid4)
    occurred_at = models.DateTimeField("发生时间")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="事件所属单位",
    )
    payload = models.JSONField("事件数据", default=dict)
    status = models.CharField("状态", max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    first_attempt_at = models.DateTimeField("首次发送时间", null=True, blank=True)
    # When to try next (pending only). While an attempt runs it holds the claim's lease.
    next_attempt_at = models.DateTimeField("下次发送时间", null=True, blank=True)
    # When a task was last queued for it; the sweeper leaves a recently queued row to that task.
    queued_at = models.DateTimeField("入队时间", null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField("最近响应码", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "推送记录"
        verbose_name_plural = verbose_name
        indexes = [
            # The sweeper: pending rows whose next attempt is due.
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
            # A webhook's deliveries, newest first (the page and webhooks/{id}/deliveries/).
            models.Index(fields=["webhook", "-created_at"], name="webhook_delivery_list_idx"),
        ]

    def __str__(self):
        return f"{self.event} → {self.webhook_id}"

    @property
    def event_label(self) -> str:
        return events.label(self.event)

    def body(self) -> dict:
        """What is POSTed: API.md's `{"event", "id", "occurred_at", "organisation", "data"}`."""
        return {
            "event": self.event,
            "id": str(self.event_id),
            "occurred_at": self.occurred_at.isoformat(),
            "organisation": self.organisation_id,
            "data": self.payload,
        }


class DeliveryAttempt(models.Model):
    """One POST of a delivery: when, the answer's status code or the error, how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name="推送记录")
    number = models.PositiveIntegerField("第几次")
    at = models.DateTimeField("发送时间")
    response_code = models.PositiveSmallIntegerField("响应码", null=True, blank=True)
    error = models.CharField("错误", max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = "发送尝试"
        verbose_name_plural = verbose_name

    @property
    def succeeded(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300
