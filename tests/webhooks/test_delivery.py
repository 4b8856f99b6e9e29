"""Deliveries as a receiver sees them: signed, after the commit, retried with backoff for 24 hours, attempts kept."""
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts import filing_services
from accounts.models import Filing
from govmedia.celery import app
from tests.accounts.builders import full_form, open_and_approve
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus
from webhooks.tasks import retry_webhook_deliveries

from .conftest import wait_until

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2024, 10, 8, 9, 0, tzinfo=SH)


@pytest.mark.django_db(transaction=True)
def test_an_approved_filing_reaches_the_receiver_signed_through_the_worker(api, region, receiver, subscribe):
    subscribe(["filing.approved"])
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        filing = open_and_approve(api, region)
        [got] = receiver.wait(1)
        wait_until(lambda: Delivery.objects.filter(status=DeliveryStatus.DELIVERED).exists())

    assert got.path == "/hooks/govmedia?source=test"
    assert got.signature_ok()
    assert not got.signature_ok("another-secret-of-someone-else")
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    assert got.headers["X-Govmedia-Event"] == "filing.approved"
    body = got.json()
    assert set(body) == {"event", "id", "occurred_at", "organisation", "data"}
    assert body["event"] == "filing.approved" and body["organisation"] == region.bureau.pk
    assert body["data"]["filing"] == filing["id"] and body["data"]["status"] == "approved"
    assert body["data"]["account_name"] == "甲县教育发布" and body["data"]["kind"] == "open"
    delivery = Delivery.objects.get()
    assert got.headers["X-Govmedia-Delivery"] == str(delivery.pk) and body["id"] == str(delivery.event_id)
    assert delivery.attempts == 1 and delivery.last_response_code == 200 and delivery.delivered_at
    assert [(a.number, a.response_code, a.error) for a in delivery.attempt_log.all()] == [(1, 200, "")]
    # Submission and the principal's approval were not subscribed: one delivery, one request.
    assert len(receiver.received) == 1


@pytest.mark.django_db(transaction=True)
def test_a_500_is_recorded_and_the_sweeper_sends_again_until_delivered(region, receiver, subscribe):
    receiver.answers = [500, 200]
    subscribe(["report.issued"])
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with transaction.atomic():
            [delivery] = services.emit("report.issued", organisation=region.county, data={"period": "2024-09"})
        receiver.wait(1)
        wait_until(lambda: Delivery.objects.get(pk=delivery.pk).last_response_code == 500)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING and delivery.last_response_code == 500
        assert delivery.next_attempt_at == delivery.first_attempt_at + dt.timedelta(minutes=1)
        [attempt] = delivery.attempt_log.all()
        assert attempt.response_code == 500 and attempt.error == "HTTP 500：服务暂不可用"

        assert retry_webhook_deliveries() == 0  # not due yet: nothing queued
        # A minute passes.
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.next_attempt_at - dt.timedelta(minutes=1))
        assert retry_webhook_deliveries() == 1
        wait_until(lambda: Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED)

    delivery.refresh_from_db()
    assert [(a.number, a.response_code) for a in delivery.attempt_log.all()] == [(1, 500), (2, 200)]
    first, second = receiver.received
    assert first.body == second.body and first.signature_ok() and second.signature_ok()
    assert first.headers["X-Govmedia-Delivery"] == second.headers["X-Govmedia-Delivery"] == str(delivery.pk)


def _one_delivery(region, subscribe, django_capture_on_commit_callbacks, **hook):
    subscribe(["report.issued"], **hook)
    with django_capture_on_commit_callbacks(execute=False):
        [delivery] = services.emit("report.issued", organisation=region.bureau, data={"n": 1}, occurred_at=T0)
    return delivery


@pytest.mark.django_db
def test_backoff_doubles_to_an_hour_and_the_delivery_fails_24_hours_after_the_first_attempt(
        region, receiver, subscribe, django_capture_on_commit_callbacks):
    receiver.answers = [503]
    delivery = _one_delivery(region, subscribe, django_capture_on_commit_callbacks)
    assert [services.backoff(n) / dt.timedelta(minutes=1) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]

    assert services.deliver(delivery.pk, now=T0).next_attempt_at == T0 + dt.timedelta(minutes=1)
    assert services.deliver(delivery.pk, now=T0 + dt.timedelta(seconds=30)) is None  # not due: nothing sent
    assert len(receiver.received) == 1
    second = services.deliver(delivery.pk, now=T0 + dt.timedelta(minutes=1))
    assert second.next_attempt_at == T0 + dt.timedelta(minutes=3)
    # Late in the 24 hours the next attempt is at the deadline, not after it (the third wait is 4 minutes).
    late = services.deliver(delivery.pk, now=T0 + dt.timedelta(hours=23, minutes=58))
    assert late.status == DeliveryStatus.PENDING and late.next_attempt_at == T0 + dt.timedelta(hours=24)
    last = services.deliver(delivery.pk, now=T0 + dt.timedelta(hours=24))
    assert last.status == DeliveryStatus.FAILED and last.next_attempt_at is None
    assert last.attempts == 4 and last.last_response_code == 503
    assert list(last.attempt_log.values_list("response_code", flat=True)) == [503] * 4
    assert services.due_deliveries(now=T0 + dt.timedelta(days=2)) == []  # the sweeper leaves it alone


@pytest.mark.django_db
def test_a_refused_connection_is_recorded_without_a_status_code(region, receiver, subscribe, django_capture_on_commit_callbacks):
    # Nothing listens on the closed receiver's port: recorded as an error without a status code.
    closed = receiver.url
    receiver.close()
    delivery = _one_delivery(region, subscribe, django_capture_on_commit_callbacks, url=closed)
    refused = services.deliver(delivery.pk, now=T0)
    assert refused.status == DeliveryStatus.PENDING and refused.last_response_code is None
    assert refused.last_error.startswith("无法连接")


@pytest.mark.django_db
def test_a_redirect_is_not_followed(region, receiver, subscribe, django_capture_on_commit_callbacks):
    receiver.answers = [302]
    delivery = _one_delivery(region, subscribe, django_capture_on_commit_callbacks)
    redirected = services.deliver(delivery.pk, now=T0)
    assert redirected.status == DeliveryStatus.PENDING and redirected.last_response_code == 302
    assert "不跟随重定向" in redirected.last_error and len(receiver.received) == 1


@pytest.mark.django_db
def test_a_switched_off_webhook_sends_nothing_more(region, receiver, subscribe, django_capture_on_commit_callbacks):
    delivery = _one_delivery(region, subscribe, django_capture_on_commit_callbacks)
    delivery.webhook.active = False
    delivery.webhook.save()
    services.deliver(delivery.pk, now=T0)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error == "接口推送已停用，未发送。"
    assert receiver.received == [] and delivery.attempts == 0


@pytest.mark.django_db
def test_two_workers_given_the_same_delivery_send_it_once(region, receiver, subscribe, django_capture_on_commit_callbacks):
    delivery = _one_delivery(region, subscribe, django_capture_on_commit_callbacks)
    assert services.deliver(delivery.pk, now=T0).status == DeliveryStatus.DELIVERED
    assert services.deliver(delivery.pk, now=T0) is None
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_a_rolled_back_action_sends_nothing(api, region, subscribe, django_capture_on_commit_callbacks):
    subscribe(["filing.submitted"])
    response = api.as_user(region.member).post(
        "/api/v1/filings/", {"kind": "open", "event_date": "2024-09-27", "reason": "开设",
                             "form": full_form(region)},
        format="json",
    )
    filing = Filing.objects.get(pk=response.json()["id"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            filing_services.filing_submit(filing=filing, user=region.member)
            assert Delivery.objects.count() == 1  # written inside the action's transaction...
            raise RuntimeError("something later in the same action fails")
    assert Delivery.objects.count() == 0 and callbacks == []  # ...and gone with it; nothing queued
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        filing_services.filing_submit(filing=filing, user=region.member)
    assert Delivery.objects.count() == 1 and len(callbacks) == 1


@pytest.mark.django_db
def test_an_event_goes_to_the_units_above_only_and_only_if_subscribed(region, subscribe, django_capture_on_commit_callbacks):
    county = subscribe(["finding.opened"])
    bureau = subscribe(["finding.opened"], organisation=region.bureau)
    subscribe(["finding.opened"], organisation=region.other_county)  # another county's
    subscribe(["finding.opened"], organisation=region.other_bureau)  # a sibling unit
    subscribe(["finding.opened"], active=False)
    subscribe(["finding.closed"])
    with django_capture_on_commit_callbacks(execute=False):
        section = services.emit("finding.opened", organisation=region.section, data={"finding": 1})
        county_level = services.emit("finding.opened", organisation=region.county, data={"finding": 2})
        everyone = services.emit("finding.opened", organisation=None, data={"finding": 3})
        nobody = services.emit("filing.approved", organisation=region.section, data={})
    assert sorted(d.webhook_id for d in section) == [county.pk, bureau.pk]
    assert len({d.event_id for d in section}) == 1  # one event, one id, for each receiver
    assert [d.webhook_id for d in county_level] == [county.pk]
    assert len(everyone) == 4 and nobody == []


@pytest.mark.django_db
def test_emit_many_is_set_based(region, subscribe, django_assert_num_queries, django_capture_on_commit_callbacks):
    items = [(region.bureau.pk if i % 2 else region.section.pk, {"finding": i}) for i in range(1500)]
    with django_assert_num_queries(1):  # nobody subscribes: one look, nothing else
        assert services.emit_many("finding.opened", items) == []
    subscribe(["finding.opened"])
    subscribe(["finding.opened"], organisation=region.bureau)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, CaptureQueriesContext(connection) as queries:
        created = services.emit_many("finding.opened", items)
    # Two reads (the subscriptions, the units' paths) whatever the number of items; the rest is the bulk insert
    # (in batches as large as the database takes).
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(reads) == 2
    assert len(created) == 3000 and Delivery.objects.count() == 3000
    # Too many to queue one by one: the sweeper is queued once and sends them in batches.
    assert len(callbacks) == 1
    assert json.loads(json.dumps(Delivery.objects.order_by("pk").first().body()))["data"] == {"finding": 0}
    assert len(services.due_deliveries(limit=1000)) == 1000
    assert len(services.due_deliveries(limit=5000)) == 2000  # the first thousand were just queued
