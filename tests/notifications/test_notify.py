"""notify(): one row per person however often named, and mail after the commit only when it is switched on."""
import pytest
from django.core import mail

from notifications.models import Notification
from notifications.services import notify

pytestmark = pytest.mark.django_db


def test_notify_creates_one_row_per_person(region):
    rows = notify(users=[region.owner, region.member, region.owner], kind="step_opened", text="有稿件待审", url="/review/")
    assert len(rows) == 2
    assert Notification.objects.unread().filter(user=region.owner).count() == 1
    assert Notification.objects.for_user(region.member).get().text == "有稿件待审"


def test_mail_is_sent_on_commit_only_when_configured(region, settings, django_capture_on_commit_callbacks):
    region.owner.email = "owner@example.org"
    region.owner.save()
    settings.NOTIFICATION_EMAIL = False
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[region.owner], kind="x", text="不发邮件")
    assert mail.outbox == []
    settings.NOTIFICATION_EMAIL = True
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[region.owner], kind="x", text="稿件已退回")
    assert [m.to for m in mail.outbox] == [["owner@example.org"]]
    assert "稿件已退回" in mail.outbox[0].subject
