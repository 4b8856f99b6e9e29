"""Telling people about their work: one row per person for the bell, and an email when mail is configured."""
from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from notifications.models import Notification

logger = logging.getLogger(__name__)


def mail_configured() -> bool:
    """Whether the deployment asked for notification emails (settings.NOTIFICATION_EMAIL)."""
    return bool(getattr(settings, "NOTIFICATION_EMAIL", False))


def notify(*, users: Iterable, kind: str, text: str, url: str = "") -> list[Notification]:
    """Create one notification per distinct active user; queue the emails for after the commit.

    Mail is sent after the transaction commits so a rolled-back decision never tells anyone anything,
    and a broken mail server never undoes the decision that caused the message.
    """
    seen: set[int] = set()
    recipients = []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        recipients.append(user)
    rows = Notification.objects.bulk_create(
        [Notification(user=user, kind=kind, text=text[:500], url=url[:500]) for user in recipients]
    )
    if mail_configured():
        addresses = [user.email for user in recipients if user.email]
        if addresses:
            transaction.on_commit(lambda: _send_mail(addresses, text, url))
    return rows


def _send_mail(addresses: list[str], text: str, url: str) -> None:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    body = text + (f"\n\n{base}{url}" if url else "")
    for address in addresses:
        try:
            send_mail(subject=f"【政务新媒体管理平台】{text[:60]}", message=body,
                      from_email=None, recipient_list=[address])
        except Exception:  # one bad address or a mail outage must not break the others
            logger.exception("notification mail to %s failed", address)
