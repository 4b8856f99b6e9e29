"""Idempotency-Key on every API POST (API.md "Other systems"): a retry after a network error gets the first answer
again and acts once; the same key for another request is a 409; a failure (5xx) is not kept, so the retry acts."""
import datetime as dt
import json
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.client import encode_multipart
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import Account, AccountUpdate
from govmedia.core.idempotency import purge_expired
from govmedia.core.models import IdempotencyRecord
from organisations.models import ApiToken
from organisations.services import user_create
from tests.accounts.builders import full_form, running_account
from tests.factories import token_for

KEY = "9b2f4c1e-5d7a-4e3b-8c6f-1a2b3c4d5e6f"


def keyed(key=KEY):
    return {"Idempotency-Key": key}


def push(account, title="国庆假期安全提示"):
    """One update record without a url: nothing but the key tells a retry from a second item."""
    return [{"account": account.pk, "published_at": "2024-10-08T09:30:00+08:00", "title": title}]


@pytest.mark.django_db
def test_a_retried_account_creation_acts_once_and_gets_the_first_answer(api, region):
    client = api.as_user(region.member)
    first = client.post("/api/v1/accounts/", full_form(region), format="json", headers=keyed())
    assert first.status_code == 201, first.json()
    again = client.post("/api/v1/accounts/", full_form(region), format="json", headers=keyed())
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Account.objects.filter(owner=region.bureau, platform="wechat").count() == 1
    # The issue's complaint, without a key: the retry is refused as a duplicate platform.
    unkeyed = client.post("/api/v1/accounts/", full_form(region), format="json")
    assert unkeyed.status_code == 400 and "platform" in unkeyed.json()


@pytest.mark.django_db
def test_the_same_key_with_another_request_is_a_conflict(api, region):
    client = api.as_user(region.member)
    assert client.post("/api/v1/accounts/", full_form(region), format="json", headers=keyed()).status_code == 201
    other_body = client.post("/api/v1/accounts/", full_form(region, platform="weibo"), format="json", headers=keyed())
    assert other_body.status_code == 409
    assert "幂等键" in other_body.json()["detail"]
    other_path = client.post("/api/v1/account-updates/", [], format="json", headers=keyed())
    assert other_path.status_code == 409
    assert not Account.objects.filter(platform="weibo").exists()


@pytest.mark.django_db
def test_the_same_json_written_differently_is_the_same_request(api, region):
    account = running_account(region)
    client = api.as_user(region.member)
    body = push(account)[0]
    compact = json.dumps([body], separators=(",", ":"), ensure_ascii=True)
    spaced = json.dumps([dict(reversed(list(body.items())))], indent=2, ensure_ascii=False)
    assert client.post("/api/v1/account-updates/", compact, content_type="application/json", headers=keyed()).status_code == 201
    again = client.post("/api/v1/account-updates/", spaced, content_type="application/json", headers=keyed())
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert AccountUpdate.objects.count() == 1


@pytest.mark.django_db
def test_workflow_actions_and_plain_api_views_are_covered(api, region):
    account = running_account(region)
    client = api.as_user(region.member)
    action = f"/api/v1/accounts/{account.pk}/updates/"  # an @action of a viewset
    for _ in range(2):
        response = client.post(action, push(account)[0], format="json", headers=keyed("action-1"))
        assert response.status_code == 201
    for _ in range(2):
        response = client.post("/api/v1/account-updates/", push(account, "另一条"), format="json", headers=keyed("bulk-1"))
        assert response.status_code == 201 and response.json()["created"] == 1
    assert AccountUpdate.objects.filter(account=account).count() == 2


@pytest.mark.django_db
def test_an_upload_retried_with_a_new_multipart_boundary_is_the_same_request(api, region):
    account = running_account(region)
    client = api.as_user(region.member)
    url = f"/api/v1/accounts/{account.pk}/updates/import/"

    def upload(boundary, text="发布时间,标题,链接,是否原创\n2024-10-08 09:30,开学通知,https://weibo.example/2,否\n"):
        body = encode_multipart(boundary, {"file": SimpleUploadedFile("export.csv", text.encode(), "text/csv")})
        return client.post(url, body, content_type=f"multipart/form-data; boundary={boundary}", headers=keyed())

    first = upload("----client-a-1111")
    assert first.status_code == 200 and first.json()["created"] == 1
    again = upload("----client-a-2222")  # a client re-encoding the retry picks a new boundary
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    other = upload("----client-a-3333", text="发布时间,标题\n2024-10-09 09:30,另一份文件\n")
    assert other.status_code == 409
    assert AccountUpdate.objects.count() == 1


@pytest.mark.django_db
def test_a_session_caller_is_covered_too(region):
    account = running_account(region)
    client = APIClient()
    client.force_login(region.member)
    for _ in range(2):
        response = client.post("/api/v1/account-updates/", push(account), format="json", headers=keyed())
        assert response.status_code == 201
    assert response["Idempotent-Replayed"] == "true"
    assert AccountUpdate.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_user(api, region):
    account = running_account(region)
    api.as_user(region.member).post("/api/v1/account-updates/", push(account), format="json", headers=keyed())
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {token_for(region.owner)}")
    response = other.post("/api/v1/account-updates/", push(account), format="json", headers=keyed())
    assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert AccountUpdate.objects.count() == 2


@pytest.mark.django_db
def test_a_refusal_is_kept_and_replayed(api, region):
    client = api.as_user(region.member)
    first = client.post("/api/v1/accounts/", {"name": "x"}, format="json", headers=keyed())
    again = client.post("/api/v1/accounts/", {"name": "x"}, format="json", headers=keyed())
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_a_server_error_is_not_kept_so_the_retry_acts(api, region, monkeypatch):
    register = account_services.account_register_existing
    calls = []

    def fails_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("数据库连接中断")
        return register(**kwargs)

    monkeypatch.setattr(account_services, "account_register_existing", fails_once)
    client = api.as_user(region.member)
    client.raise_request_exception = False
    failed = client.post("/api/v1/accounts/", full_form(region), format="json", headers=keyed())
    assert failed.status_code == 500
    assert not IdempotencyRecord.objects.exists()
    retried = client.post("/api/v1/accounts/", full_form(region), format="json", headers=keyed())
    assert retried.status_code == 201 and not retried.has_header("Idempotent-Replayed")
    assert Account.objects.filter(owner=region.bureau, platform="wechat").count() == 1


@pytest.mark.django_db
def test_a_key_is_at_most_255_characters(api, region):
    account = running_account(region)
    client = api.as_user(region.member)
    too_long = client.post("/api/v1/account-updates/", push(account), format="json", headers=keyed("k" * 256))
    assert too_long.status_code == 400 and "255" in too_long.json()["detail"]
    assert not AccountUpdate.objects.exists()
    assert client.post("/api/v1/account-updates/", push(account), format="json", headers=keyed("k" * 255)).status_code == 201


@pytest.mark.django_db
def test_anonymous_callers_get_401_and_leave_nothing(region):
    response = APIClient().post("/api/v1/account-updates/", [], format="json", headers=keyed())
    assert response.status_code == 401
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_after_24_hours_a_key_starts_afresh_and_the_daily_task_purges_it(api, region, settings):
    account = running_account(region)
    client = api.as_user(region.member)
    client.post("/api/v1/account-updates/", push(account), format="json", headers=keyed())
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=24, minutes=1))
    response = client.post("/api/v1/account-updates/", push(account), format="json", headers=keyed())
    assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert AccountUpdate.objects.count() == 2
    assert purge_expired(now=timezone.now() + dt.timedelta(hours=23)) == 0
    assert purge_expired(now=timezone.now() + dt.timedelta(hours=25)) == 1
    assert "govmedia.core.tasks.purge_idempotency_records" in [e["task"] for e in settings.GOVMEDIA_SCHEDULE]


# --- Two requests at once, on PostgreSQL (row locks); run with your own database name:
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/govmedia_<you> pytest tests/core/test_idempotency.py -m postgres


def _post_in_thread(token, account, results):
    def run():
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            results.append(client.post("/api/v1/account-updates/", push(account), format="json", headers=keyed()))
        finally:
            connection.close()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_request_arriving_while_the_first_runs_is_a_409_and_only_the_first_acts(region, monkeypatch):
    account = running_account(region)
    token = token_for(region.member)
    write, entered, release = account_services.account_add_updates, threading.Event(), threading.Event()

    def held(**kwargs):
        entered.set()
        release.wait(10)
        return write(**kwargs)

    monkeypatch.setattr(account_services, "account_add_updates", held)
    results = []
    first = _post_in_thread(token, account, results)
    assert entered.wait(10)
    second = _post_in_thread(token, account, results)
    second.join(10)  # answered at once, while the first still holds the key
    assert [r.status_code for r in results] == [409]
    assert results[0]["Retry-After"] == "1" and "处理中" in results[0].json()["detail"]
    release.set()
    first.join(10)
    assert [r.status_code for r in results] == [409, 201]
    assert AccountUpdate.objects.count() == 1
    later = []
    _post_in_thread(token, account, later).join(10)
    assert later[0].status_code == 201 and later[0]["Idempotent-Replayed"] == "true"
    assert AccountUpdate.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_with_one_key_act_once(region, monkeypatch):
    account = running_account(region)
    token = token_for(region.member)
    write = account_services.account_add_updates

    def slow(**kwargs):
        time.sleep(0.3)  # long enough for the other request to arrive while this one acts
        return write(**kwargs)

    monkeypatch.setattr(account_services, "account_add_updates", slow)
    start, results = threading.Barrier(2), []

    def run():
        try:
            start.wait(5)
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            results.append(client.post("/api/v1/account-updates/", push(account), format="json", headers=keyed()))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert sorted(r.status_code for r in results) == [201, 409]
    assert AccountUpdate.objects.count() == 1


@pytest.mark.django_db
def test_a_new_tokens_key_is_never_kept_and_a_retry_does_not_issue_another(api, region):
    service = user_create(username="svc-idem", display_name="市级平台", is_service=True, home_organisation=region.county)
    admin = api.as_user(region.supervisor)
    first = admin.post("/api/v1/tokens/", {"user": service.pk, "name": "生产环境"}, format="json", headers=keyed())
    assert first.status_code == 201, first.content
    key = first.json()["key"]
    again = admin.post("/api/v1/tokens/", {"user": service.pk, "name": "生产环境"}, format="json", headers=keyed())
    assert again.status_code == 409 and key not in again.content.decode()
    assert "不再重复返回" in again.json()["detail"]
    assert ApiToken.objects.filter(user=service).count() == 1
    assert key.encode() not in bytes(IdempotencyRecord.objects.get(key=KEY).body)
