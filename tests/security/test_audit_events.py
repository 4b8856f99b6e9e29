"""Security events reach the audit log with the caller's address (issue 12: "sign-ins, lockouts and password
resets never reach the audit log"), and the audit administrator's page shows and filters them in Chinese."""
import pytest
from django.test import override_settings

from govmedia.core import audit
from govmedia.core.models import AuditEntry
from organisations.models import AdminRole
from tests.factories import FindingFactory, UserFactory

PASSWORD = "Qingyuan#Audit-2026"


@pytest.fixture
def person(db):
    user = UserFactory(username="wangfang")
    user.set_password(PASSWORD)
    user.save()
    return user


def events(action):
    return AuditEntry.objects.filter(workflow_action=action).order_by("pk")


def test_a_failed_api_sign_in_is_recorded_with_the_address_not_the_forwarded_one(client, person):
    response = client.post("/api/v1/auth/token/", {"username": "wangfang", "password": "wrong-password"},
                           content_type="application/json", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert response.status_code in (400, 401)
    entry = events("login_failed").get()
    assert entry.actor is None and entry.object_pk == str(person.pk) and entry.content_type.model == "user"
    assert entry.remote_addr == "127.0.0.1"  # a client cannot write another address into the log
    assert entry.additional_data["username"] == "wangfang" and "wrong-password" not in str(entry.additional_data)


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_our_proxy_the_forwarded_address_is_recorded(client, person):
    client.post("/api/v1/auth/token/", {"username": "nobody", "password": "x"}, content_type="application/json",
                HTTP_X_FORWARDED_FOR="6.6.6.6, 10.8.0.1")
    entry = events("login_failed").get()
    # One proxy of ours: the address it saw (the last one it appended), not what the client claimed first.
    assert entry.remote_addr == "10.8.0.1"
    assert entry.object_pk == "" and entry.object_repr == "nobody"


def test_sign_in_and_sign_out_on_the_pages_are_recorded(client, person):
    response = client.post("/login/", {"username": "wangfang", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    login = events("login").get()
    assert login.actor == person and login.remote_addr == "10.1.2.3"
    client.post("/logout/", REMOTE_ADDR="10.1.2.3")
    logout = events("logout").get()
    assert logout.actor == person and logout.pk > login.pk


def test_only_the_listed_security_events_are_accepted(person):
    with pytest.raises(ValueError):
        audit.record_security_event("login_succeeded", actor=person)
    for action in audit.SECURITY_EVENTS:
        assert audit.ACTION_LABELS[action]  # every event has its Chinese label
    entry = audit.record_security_event("password_reset", actor=person, target=UserFactory(), detail={"comment": "重置"})
    assert entry.workflow_action == "password_reset" and audit.action_label(entry) == "重置密码"


@pytest.fixture
def auditor(db, client):
    user = UserFactory(username="shenji", admin_role=AdminRole.AUDIT)
    client.force_login(user)
    return user


def test_the_audit_page_shows_security_events_and_changes_in_chinese(client, auditor, person):
    finding = FindingFactory()
    finding.status = "rectified"
    finding.save()
    client.post("/api/v1/auth/token/", {"username": "wangfang", "password": "wrong"}, content_type="application/json")
    page = client.get("/audit/", {"action": "security"})
    assert page.status_code == 200
    text = page.content.decode()
    assert '<span class="badge">安全事件</span> 登录失败' in text and '<td data-label="地址">127.0.0.1</td>' in text
    assert "问题" in text  # the object type filter, in Chinese (Finding's name)
    changes = client.get("/audit/", {"object_type": "finding", "action": "update"}).content.decode()
    assert "状态</b>：" in changes and "→" in changes
    assert '<span class="badge">安全事件</span>' not in changes


def test_the_audit_filters_by_event_actor_and_time(client, auditor, person, api):
    audit.record_security_event("lockout", target=person, detail={"username": "wangfang"})
    audit.record_security_event("token_revoke", actor=auditor, target=person)
    body = api.as_user(auditor).get("/api/v1/audit-log/", {"action": "lockout"}).json()
    assert [row["workflow_action"] for row in body["results"]] == ["lockout"]
    body = api.as_user(auditor).get("/api/v1/audit-log/", {"action": "security", "actor": "shenji"}).json()
    assert {row["workflow_action"] for row in body["results"]} >= {"token_revoke"}
    assert all(row["actor"] == "shenji" for row in body["results"])
    future = api.as_user(auditor).get("/api/v1/audit-log/", {"action": "security", "since": "2099-01-01T00:00:00+08:00"})
    assert future.status_code == 200 and future.json()["results"] == []
    assert api.as_user(auditor).get("/api/v1/audit-log/", {"action": "no-such"}).status_code == 400
