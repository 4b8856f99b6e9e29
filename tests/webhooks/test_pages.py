"""The 接口推送 pages: a supervisor's webhooks, the form with events as checkboxes, deliveries with attempts."""
import datetime as dt
import re

import pytest

from webhooks import services
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, Webhook

pytestmark = pytest.mark.django_db
AT = dt.datetime(2024, 10, 8, 1, 0, tzinfo=dt.timezone.utc)  # 09:00 in Shanghai


def test_the_supervisor_creates_a_webhook_sees_the_secret_once_then_never(client, region):
    client.force_login(region.supervisor)
    form = client.get("/webhooks/new/").content.decode()
    assert 'type="checkbox"' in form and "备案已审批通过" in form and "网站扫描已完成" in form
    response = client.post("/webhooks/new/", {
        "organisation": region.county.pk, "url": "http://10.1.2.3:8080/notify", "events": ["filing.approved", "report.issued"],
        "description": "市平台", "active": "on",
    })
    assert response.status_code == 200
    webhook = Webhook.objects.get()
    page = response.content.decode()
    assert "签名密钥（只显示这一次）" in page and webhook.secret in page
    assert webhook.events == ["filing.approved", "report.issued"] and webhook.active
    again = client.get(f"/webhooks/{webhook.pk}/").content.decode()
    assert webhook.secret not in again and "已设置（不再显示）" in again
    assert "备案已审批通过、报告已发布" in again
    listing = client.get("/webhooks/").content.decode()
    assert "http://10.1.2.3:8080/notify" in listing and "甲县人民政府" in listing


def test_the_form_says_what_is_wrong_in_chinese(client, region):
    client.force_login(region.supervisor)
    response = client.post("/webhooks/new/", {"organisation": region.county.pk, "url": "ftp://x", "secret": "short"})
    page = response.content.decode()
    assert response.status_code == 200 and not Webhook.objects.exists()
    assert "推送地址须以 http:// 或 https:// 开头。" in page
    assert "请至少选择一个订阅事件。" in page
    assert "至少包含 16 字符" in page  # the secret's minimum length


def test_edit_keeps_the_secret_when_left_blank(client, region):
    webhook, secret = services.webhook_create(user=region.supervisor, organisation=region.county, url="http://127.0.0.1:9/a",
                                              events=["post.published"])
    client.force_login(region.supervisor)
    response = client.post(f"/webhooks/{webhook.pk}/edit/", {
        "organisation": region.bureau.pk, "url": "http://127.0.0.1:9/b", "events": ["post.published", "finding.closed"],
        "secret": "",
    })
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert webhook.secret == secret and webhook.url == "http://127.0.0.1:9/b" and not webhook.active
    assert webhook.organisation == region.bureau and webhook.events == ["post.published", "finding.closed"]


def test_the_deliveries_and_each_attempt_are_shown_in_chinese(client, region, django_capture_on_commit_callbacks):
    webhook, _ = services.webhook_create(user=region.supervisor, organisation=region.county, url="http://127.0.0.1:9/x",
                                         events=["filing.approved", "finding.opened"])
    with django_capture_on_commit_callbacks(execute=False):
        delivered = services.emit("filing.approved", organisation=region.bureau, data={}, occurred_at=AT)[0]
        failed = services.emit("finding.opened", organisation=region.bureau, data={}, occurred_at=AT)[0]
        services.emit("finding.opened", organisation=region.section, data={}, occurred_at=AT)
    Delivery.objects.filter(pk=delivered.pk).update(status=DeliveryStatus.DELIVERED, attempts=2, last_response_code=200,
                                                    delivered_at=AT + dt.timedelta(minutes=1))
    DeliveryAttempt.objects.create(delivery=delivered, number=1, at=AT, response_code=500, error="HTTP 500：忙", duration_ms=15)
    DeliveryAttempt.objects.create(delivery=delivered, number=2, at=AT + dt.timedelta(minutes=1), response_code=200, duration_ms=9)
    Delivery.objects.filter(pk=failed.pk).update(status=DeliveryStatus.FAILED, attempts=1, last_error="无法连接：拒绝连接")
    DeliveryAttempt.objects.create(delivery=failed, number=1, at=AT, error="无法连接：拒绝连接", duration_ms=3)

    client.force_login(region.supervisor)
    page = client.get(f"/webhooks/{webhook.pk}/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    for expected in ("已送达", "失败", "待发送", "备案已审批通过", "发现新问题", "响应码 500", "响应码 200",
                     "第 1 次 · 2024-10-08 09:00:00", "第 2 次 · 2024-10-08 09:01:00", "无响应", "无法连接：拒绝连接",
                     "送达 2024-10-08 09:01:00", "尚未发送"):
        assert expected in text, expected
    only_failed = client.get(f"/webhooks/{webhook.pk}/?status=failed").content.decode()
    assert "无法连接：拒绝连接" in only_failed and "送达 2024-10-08" not in only_failed

    listing = re.sub(r"<[^>]+>", " ", client.get("/webhooks/").content.decode())
    assert "启用" in listing and "2024-10-08 09:01" in listing


def test_only_supervisors_have_the_page_and_only_of_their_units(client, region):
    webhook, _ = services.webhook_create(user=region.supervisor, organisation=region.county, url="http://127.0.0.1:9/x",
                                         events=["report.issued"])
    client.force_login(region.member)
    assert client.get("/webhooks/").status_code == 403
    assert client.get(f"/webhooks/{webhook.pk}/").status_code == 403
    client.force_login(region.outsider)
    assert client.get("/webhooks/").status_code == 200 and webhook.url not in client.get("/webhooks/").content.decode()
    assert client.get(f"/webhooks/{webhook.pk}/").status_code == 404
    assert client.post(f"/webhooks/{webhook.pk}/delete/").status_code == 404
    assert Webhook.objects.exists()
    menu = [item["label"] for item in client.get("/webhooks/").context["nav_items"]]
    assert "接口推送" in menu
    client.force_login(region.member)
    assert "接口推送" not in [item["label"] for item in client.get("/calendar/").context["nav_items"]]


def test_send_test_and_delete_from_the_page(client, region, django_capture_on_commit_callbacks):
    webhook, _ = services.webhook_create(user=region.supervisor, organisation=region.county, url="http://127.0.0.1:9/x",
                                         events=["report.issued"])
    client.force_login(region.supervisor)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/webhooks/{webhook.pk}/test/", follow=True)
    assert "已发送测试推送" in response.content.decode() and "测试推送" in response.content.decode()
    assert client.post(f"/webhooks/{webhook.pk}/delete/").status_code == 302
    assert not Webhook.objects.exists() and not Delivery.objects.exists()
