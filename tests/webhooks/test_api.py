"""`webhooks/` and `webhooks/{id}/deliveries/` as an integrator and the office use them (API.md "Other systems")."""
import datetime as dt

import pytest

from govmedia.core.models import AuditEntry
from webhooks import services
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, Webhook

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/"


def create(api, user, **fields):
    body = {"organisation": fields.pop("organisation"), "url": "http://baosong:8080/notify", "events": ["filing.approved"]}
    body.update(fields)
    return api.as_user(user).post(URL, body, format="json")


def test_a_supervisor_registers_a_webhook_and_sees_its_secret_once(api, region):
    response = create(api, region.supervisor, organisation=region.county.pk, events=["filing.approved", "finding.opened"],
                      description="省报送系统")
    assert response.status_code == 201, response.json()
    body = response.json()
    # Generated when not given, long and random, returned this once.
    assert len(body["secret"]) == 64
    assert body["events"] == ["filing.approved", "finding.opened"]
    assert body["event_labels"] == ["备案已审批通过", "发现新问题"]
    assert body["active"] is True and body["organisation"] == region.county.pk
    webhook = Webhook.objects.get(pk=body["id"])
    assert webhook.secret == body["secret"] and webhook.created_by == region.supervisor

    for shown in (api.get(f"{URL}{webhook.pk}/").json(), api.get(URL).json()["results"][0]):
        assert "secret" not in shown
    patched = api.patch(f"{URL}{webhook.pk}/", {"secret": "a-new-secret-of-at-least-16", "active": False}, format="json")
    assert patched.status_code == 200 and "secret" not in patched.json() and patched.json()["active"] is False
    webhook.refresh_from_db()
    assert webhook.secret == "a-new-secret-of-at-least-16"
    entries = AuditEntry.objects.filter(object_pk=str(webhook.pk), content_type__model="webhook")
    # The service's workflow entries (model changes are logged besides, without the secret).
    assert {e.workflow_action for e in entries.exclude(workflow_action="")} == {"create", "update"}
    assert "a-new-secret" not in str([e.changes for e in entries])
    assert api.delete(f"{URL}{webhook.pk}/").status_code == 204
    assert not Webhook.objects.exists()


def test_a_given_secret_is_kept_and_checked(api, region):
    assert create(api, region.supervisor, organisation=region.county.pk, secret="short").status_code == 400
    response = create(api, region.supervisor, organisation=region.county.pk, secret="0123456789abcdef")
    assert response.status_code == 201 and response.json()["secret"] == "0123456789abcdef"


@pytest.mark.parametrize("url, accepted", [
    ("http://127.0.0.1:9000/hook", True),
    ("https://baosong.gov.cn/api/notify?channel=govmedia", True),
    ("http://intranet-host/hook", True),
    ("ftp://example.gov.cn/hook", False),
    ("http://user:password@example.gov.cn/hook", False),
    ("not a url", False),
])
def test_any_http_address_of_the_intranet_is_accepted(api, region, url, accepted):
    response = create(api, region.supervisor, organisation=region.county.pk, url=url)
    assert (response.status_code == 201) is accepted, response.json()
    if not accepted:
        assert "url" in response.json()


def test_events_must_come_from_the_list(api, region):
    unknown = create(api, region.supervisor, organisation=region.county.pk, events=["filing.approved", "account.deleted"])
    assert unknown.status_code == 400 and "events" in unknown.json()
    assert create(api, region.supervisor, organisation=region.county.pk, events=[]).status_code == 400
    repeated = create(api, region.supervisor, organisation=region.county.pk, events=["report.issued", "filing.submitted", "report.issued"])
    assert repeated.json()["events"] == ["filing.submitted", "report.issued"]


def test_scope_other_county_editor_and_auditor(api, region):
    webhook = create(api, region.supervisor, organisation=region.bureau.pk).json()
    item = f"{URL}{webhook['id']}/"
    for outsider in (region.outsider, region.member, region.owner, region.auditor):
        client = api.as_user(outsider)
        assert client.get(URL).json()["count"] == 0
        assert client.get(item).status_code == 404
        assert client.get(f"{item}deliveries/").status_code == 404
        assert client.patch(item, {"active": False}, format="json").status_code == 404
        assert client.delete(item).status_code == 404
    # A unit's own people may not subscribe it: in their scope, not theirs to manage.
    refused = create(api, region.owner, organisation=region.bureau.pk)
    assert refused.status_code == 403 and refused.json()["detail"] == "只有该单位的主管人员可以管理接口推送。"
    # Another county's unit is not there for this supervisor.
    assert create(api, region.supervisor, organisation=region.other_county.pk).status_code == 400
    # ...nor can a webhook be moved there.
    moved = api.as_user(region.supervisor).patch(item, {"organisation": region.other_county_bureau.pk}, format="json")
    assert moved.status_code == 400
    assert api.post(URL, {}, format="json").status_code in (400, 403)
    api.credentials()
    assert api.get(URL).status_code == 401


def test_deliveries_list_attempts_with_status_and_response_code(api, region, django_capture_on_commit_callbacks):
    webhook, _ = services.webhook_create(user=region.supervisor, organisation=region.county, url="http://127.0.0.1:9/x",
                                         events=["filing.approved"])
    at = dt.datetime(2024, 10, 8, 9, 0, tzinfo=dt.timezone.utc)
    with django_capture_on_commit_callbacks(execute=False):
        old, new = (services.emit("filing.approved", organisation=region.bureau, data={"filing": n}, occurred_at=at)[0]
                    for n in (1, 2))
    Delivery.objects.filter(pk=old.pk).update(status=DeliveryStatus.DELIVERED, attempts=2, last_response_code=200,
                                              delivered_at=at + dt.timedelta(minutes=1))
    DeliveryAttempt.objects.create(delivery=old, number=1, at=at, response_code=500, error="HTTP 500", duration_ms=12)
    DeliveryAttempt.objects.create(delivery=old, number=2, at=at + dt.timedelta(minutes=1), response_code=200, duration_ms=8)

    page = api.as_user(region.supervisor).get(f"{URL}{webhook.pk}/deliveries/").json()
    assert page["count"] == 2
    newest, oldest = page["results"]
    assert newest["id"] == new.pk and newest["status"] == "pending" and newest["status_display"] == "待发送"
    assert newest["attempts"] == [] and newest["data"] == {"filing": 2}
    assert oldest["status"] == "delivered" and oldest["response_code"] == 200 and oldest["attempt_count"] == 2
    assert [(a["number"], a["response_code"], a["error"]) for a in oldest["attempts"]] == [(1, 500, "HTTP 500"), (2, 200, "")]
    assert oldest["event"] == "filing.approved" and oldest["event_label"] == "备案已审批通过"
    delivered = api.get(f"{URL}{webhook.pk}/deliveries/?status=delivered").json()
    assert [d["id"] for d in delivered["results"]] == [old.pk]
    assert api.get(f"{URL}{webhook.pk}/deliveries/?status=bogus").status_code == 400


def test_a_test_ping_is_sent_to_that_webhook_only(api, region, django_capture_on_commit_callbacks):
    webhook = create(api, region.supervisor, organisation=region.county.pk).json()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(f"{URL}{webhook['id']}/test/")
    assert response.status_code == 202 and response.json()["event"] == "ping"
    assert len(callbacks) == 1 and Delivery.objects.get().event == "ping"
    api.patch(f"{URL}{webhook['id']}/", {"active": False}, format="json")
    assert api.post(f"{URL}{webhook['id']}/test/").status_code == 409
