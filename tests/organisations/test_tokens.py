"""API tokens and service accounts (API.md "Auth", "Security" → Tokens, "Other systems" → Service accounts)."""
import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from govmedia.core.models import AuditEntry
from organisations import services
from organisations.models import ApiToken, Membership, Role
from tests.factories import PASSWORD, UserFactory, person, token_for

pytestmark = pytest.mark.django_db


def sign_in(username, password=PASSWORD):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def client_with(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def status_with(key, path="/api/v1/organisations/"):
    return client_with(key).get(path).status_code


@pytest.fixture
def service(region):
    """The county's platform: a service account of county A with the auditor's role there (reads the county)."""
    account = services.user_create(username="city-platform", display_name="市级监管平台", is_service=True,
                                   home_organisation=region.county)
    Membership.objects.create(user=account, organisation=region.county, role=Role.AUDITOR)
    return account


# --- A person's tokens -------------------------------------------------------------------------------------------

def test_each_sign_in_gives_a_new_working_token(region):
    first, second = sign_in("editor"), sign_in("editor")
    assert first.status_code == second.status_code == 200
    assert first.json()["token"] != second.json()["token"]
    assert status_with(first.json()["token"]) == status_with(second.json()["token"]) == 200
    # Only a hash is kept: the key itself is nowhere in the database.
    assert not ApiToken.objects.filter(key_hash=first.json()["token"]).exists()
    assert ApiToken.objects.filter(user=region.member).count() == 2


def test_logout_revokes_the_token_it_was_sent_with(region):
    mine, other_session = sign_in("editor").json()["token"], sign_in("editor").json()["token"]
    assert client_with(mine).post("/api/v1/auth/logout/").status_code == 204
    response = client_with(mine).get("/api/v1/organisations/")
    assert response.status_code == 401 and "撤销" in response.json()["detail"]
    assert status_with(other_session) == 200
    assert APIClient().post("/api/v1/auth/logout/").status_code == 401
    assert AuditEntry.objects.filter(workflow_action="logout", actor=region.member).count() == 1


def test_a_password_reset_revokes_every_token(api, region):
    # Only the security administrator resets someone's password (三员分立; tests/organisations/test_people.py).
    security = UserFactory(username="security", admin_role="security")
    tokens = [sign_in("editor").json()["token"] for _ in range(2)]
    response = api.as_user(security).patch(
        f"/api/v1/users/{region.member.pk}/", {"password": "New@2026!pass"}, format="json"
    )
    assert response.status_code == 200
    assert [status_with(t) for t in tokens] == [401, 401]
    entry = AuditEntry.objects.get(workflow_action="token_revoke", object_pk=str(region.member.pk))
    assert entry.actor == security and "重置密码" in entry.additional_data["comment"]


def test_deactivation_revokes_every_token(api, region):
    token = sign_in("editor").json()["token"]
    assert api.as_user(region.supervisor).delete(f"/api/v1/users/{region.member.pk}/").status_code == 204
    assert status_with(token) == 401
    assert not ApiToken.objects.filter(user=region.member, revoked_at__isnull=True).exists()


def test_a_persons_token_expires_after_idle_hours_a_service_token_does_not(region, service, settings):
    assert settings.TOKEN_IDLE_HOURS == 8
    personal, service_key = sign_in("editor").json()["token"], token_for(service)
    assert status_with(personal) == status_with(service_key) == 200
    ApiToken.objects.update(last_used_at=timezone.now() - dt.timedelta(hours=9))
    response = client_with(personal).get("/api/v1/organisations/")
    assert response.status_code == 401 and "重新登录" in response.json()["detail"]
    assert status_with(service_key) == 200
    # Used within the idle time, a person's token keeps working.
    fresh = sign_in("editor").json()["token"]
    ApiToken.objects.filter(key_hash=ApiToken.hash_key(fresh)).update(last_used_at=timezone.now() - dt.timedelta(hours=7))
    assert status_with(fresh) == 200


def test_last_used_is_written_at_most_once_a_minute(region):
    key = sign_in("editor").json()["token"]
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(key))
    assert token.last_used_at is None
    status_with(key)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    status_with(key)
    token.refresh_from_db()
    assert token.last_used_at == first_use
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - dt.timedelta(minutes=2))
    status_with(key)
    token.refresh_from_db()
    assert token.last_used_at > first_use - dt.timedelta(minutes=1)


# --- Service accounts ---------------------------------------------------------------------------------------------

def test_a_service_account_never_signs_in_with_a_password(client, region, service):
    # Even with a password someone set outside the services, the page and the token endpoint refuse it.
    service.set_password(PASSWORD)
    service.save()
    response = client.post("/login/", {"username": "city-platform", "password": PASSWORD})
    assert response.status_code == 200 and "接口账号不能登录页面" in response.content.decode()
    assert client.get("/").status_code == 302
    response = sign_in("city-platform")
    assert response.status_code == 400 and "令牌" in response.json()["non_field_errors"][0]
    assert not ApiToken.objects.filter(user=service).exists()


def test_an_administrator_creates_a_service_account_and_issues_it_a_token(api, region):
    admin = api.as_user(region.supervisor)
    created = admin.post("/api/v1/users/", {
        "username": "report-system", "display_name": "报送系统", "is_service": True,
        "home_organisation": region.county.pk,
    }, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["is_service"] is True and "password" not in created.json()
    account_id = created.json()["id"]
    granted = admin.post("/api/v1/memberships/", {"user": account_id, "organisation": region.county.pk, "role": "auditor"}, format="json")
    assert granted.status_code == 201

    issued = admin.post("/api/v1/tokens/", {"user": account_id, "name": "生产环境"}, format="json")
    assert issued.status_code == 201, issued.json()
    body = issued.json()
    assert body["key"].startswith(body["prefix"]) and body["user"] == account_id and body["expires_at"] is None
    assert issued["Cache-Control"] == "no-store"

    platform = client_with(body["key"])
    names = {o["name"] for o in platform.get("/api/v1/organisations/").json()["results"]}
    assert {"甲县人民政府", "甲县教育局"} <= names and "乙县人民政府" not in names
    assert platform.get(f"/api/v1/organisations/{region.county.pk}/").status_code == 200
    assert platform.get(f"/api/v1/organisations/{region.other_county.pk}/").status_code == 404
    # The key is shown once: the list has the prefix only.
    listed = admin.get("/api/v1/tokens/", {"user": account_id}).json()["results"]
    assert [t["prefix"] for t in listed] == [body["prefix"]] and "key" not in listed[0]


def test_a_service_account_is_made_without_a_password_and_never_given_one(api, region, service):
    admin = api.as_user(region.supervisor)
    refused = admin.post("/api/v1/users/", {
        "username": "cms", "is_service": True, "password": PASSWORD, "home_organisation": region.county.pk,
    }, format="json")
    assert refused.status_code == 400 and "password" in refused.json()
    response = admin.patch(f"/api/v1/users/{service.pk}/", {"password": "New@2026!pass"}, format="json")
    assert response.status_code == 400 and "令牌" in response.json()["password"][0]
    response = admin.patch(f"/api/v1/users/{region.member.pk}/", {"is_service": True}, format="json")
    assert response.status_code == 400 and "is_service" in response.json()


def test_rotation_ends_the_old_key_and_revocation_ends_the_new(api, region, service):
    admin = api.as_user(region.supervisor)
    issued = admin.post("/api/v1/tokens/", {"user": service.pk, "name": "生产环境"}, format="json").json()
    rotated = admin.post(f"/api/v1/tokens/{issued['id']}/rotate/")
    assert rotated.status_code == 201
    new = rotated.json()
    assert new["key"] != issued["key"] and new["name"] == "生产环境"
    assert status_with(issued["key"]) == 401
    assert status_with(new["key"]) == 200

    revoked = admin.post(f"/api/v1/tokens/{new['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert status_with(new["key"]) == 401
    again = admin.post(f"/api/v1/tokens/{new['id']}/revoke/")
    assert again.status_code == 409 and "已撤销" in again.json()["detail"]
    assert admin.post(f"/api/v1/tokens/{issued['id']}/rotate/").status_code == 409

    actions = set(AuditEntry.objects.filter(actor=region.supervisor).values_list("workflow_action", flat=True))
    assert {"token_issue", "token_rotate", "token_revoke"} <= actions
    # The entries belong to the account's unit: its supervisors read them in the audit log.
    log = admin.get("/api/v1/audit-log/", {"workflow_action": "token_rotate"}).json()["results"]
    assert len(log) == 1 and log[0]["organisation"] == region.county.pk


def test_tokens_lists_own_tokens_and_for_administrators_those_of_their_service_accounts(api, region, service):
    token_for(service, "生产环境")
    token_for(region.member, "编辑自用")
    admin_list = api.as_user(region.supervisor).get("/api/v1/tokens/").json()["results"]
    assert {t["username"] for t in admin_list} == {"city-platform", "supervisor"}
    editor_list = api.as_user(region.member).get("/api/v1/tokens/").json()["results"]
    assert {t["username"] for t in editor_list} == {"editor"}
    # The other county's supervisor administers service accounts too, but not this county's.
    outsider_list = api.as_user(region.outsider).get("/api/v1/tokens/").json()["results"]
    assert {t["username"] for t in outsider_list} == {"outsider"}
    # A person may end their own token.
    own = editor_list[0]
    assert api.as_user(region.member).post(f"/api/v1/tokens/{own['id']}/revoke/").status_code == 200


def test_an_editor_cannot_issue_or_end_a_service_accounts_tokens(api, region, service):
    service_token = ApiToken.objects.get(key_hash=ApiToken.hash_key(token_for(service)))
    editor = api.as_user(region.member)
    response = editor.post("/api/v1/tokens/", {"user": service.pk, "name": "x"}, format="json")
    assert response.status_code == 403 and "签发" in response.json()["detail"]
    assert editor.post(f"/api/v1/tokens/{service_token.pk}/rotate/").status_code == 404
    assert editor.post(f"/api/v1/tokens/{service_token.pk}/revoke/").status_code == 404
    created = editor.post("/api/v1/users/", {"username": "mine", "is_service": True, "home_organisation": region.bureau.pk}, format="json")
    assert created.status_code == 403
    # Nor may the other county's administrator, nor a supervisor below the top-level unit.
    outsider = api.as_user(region.outsider)
    assert outsider.post("/api/v1/tokens/", {"user": service.pk, "name": "x"}, format="json").status_code == 400
    assert outsider.post(f"/api/v1/tokens/{service_token.pk}/revoke/").status_code == 404
    bureau_supervisor = person("bureau-supervisor", region.bureau, Role.SUPERVISOR)
    assert api.as_user(bureau_supervisor).post("/api/v1/tokens/", {"user": service.pk, "name": "x"}, format="json").status_code == 403
    # A person is not given tokens by others: they sign in.
    assert api.as_user(region.supervisor).post("/api/v1/tokens/", {"user": region.member.pk, "name": "x"}, format="json").status_code == 400
    assert ApiToken.objects.filter(user=service).count() == 1


# --- Rate limit ---------------------------------------------------------------------------------------------------

@override_settings(SERVICE_TOKEN_RATE="3/min")
def test_a_service_token_over_its_rate_is_answered_429_with_retry_after(region, service):
    platform = client_with(token_for(service))
    assert [platform.get("/api/v1/organisations/").status_code for _ in range(3)] == [200, 200, 200]
    response = platform.get("/api/v1/organisations/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "请求过于频繁" in response.json()["detail"]
    # Per token: the account's second token, and people, are not held back by it.
    assert status_with(token_for(service)) == 200
    person_key = sign_in("editor").json()["token"]
    assert [status_with(person_key) for _ in range(5)] == [200] * 5


@override_settings(USER_TOKEN_RATE="2/min")
def test_a_persons_rate_applies_when_configured(region):
    key = sign_in("editor").json()["token"]
    assert [status_with(key) for _ in range(3)] == [200, 200, 429]


# --- The page -----------------------------------------------------------------------------------------------------

def test_the_service_accounts_page_issues_rotates_and_revokes(client, region, service):
    client.force_login(region.supervisor)
    page = client.get("/service-accounts/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "接口账号" in html and "city-platform" in html and 'href="/service-accounts/"' in html

    issued = client.post("/service-accounts/", {"operation": "issue", "user": service.pk, "name": "生产环境"})
    assert issued.status_code == 200 and issued["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=service)
    key = issued.context["new_key"]
    assert key in issued.content.decode() and "无法再次查看" in issued.content.decode()
    assert status_with(key) == 200
    # Shown once: the page does not show it again.
    assert key not in client.get("/service-accounts/").content.decode()

    rotated = client.post("/service-accounts/", {"operation": "rotate", "token": token.pk})
    new_key = rotated.context["new_key"]
    assert status_with(key) == 401 and status_with(new_key) == 200
    successor = ApiToken.objects.get(user=service, revoked_at__isnull=True)
    revoked = client.post("/service-accounts/", {"operation": "revoke", "token": successor.pk}, follow=True)
    assert "已撤销令牌" in revoked.content.decode()
    assert status_with(new_key) == 401


def test_the_page_creates_a_service_account(client, region):
    client.force_login(region.supervisor)
    response = client.post("/service-accounts/", {
        "operation": "create", "username": "cms", "display_name": "内容管理系统", "home_organisation": region.bureau.pk,
    })
    assert response.status_code == 302
    account = region.bureau.staff.get(username="cms")
    assert account.is_service and not account.has_usable_password()
    # Another county's unit is not in this administrator's list.
    refused = client.post("/service-accounts/", {
        "operation": "create", "username": "cms2", "display_name": "x", "home_organisation": region.other_county.pk,
    })
    assert refused.status_code == 400


def test_only_administrators_see_the_page_and_its_menu_entry(client, region):
    client.force_login(region.member)
    assert client.get("/service-accounts/").status_code == 403
    assert 'href="/service-accounts/"' not in client.get("/").content.decode()


# --- Housekeeping -------------------------------------------------------------------------------------------------

def test_old_personal_tokens_are_purged_service_tokens_kept(region, service):
    now = timezone.now()
    recent, stale, revoked_long_ago = (token_for(region.member) for _ in range(3))

    def by_key(key):
        return ApiToken.objects.filter(key_hash=ApiToken.hash_key(key))

    by_key(stale).update(created_at=now - dt.timedelta(days=40), last_used_at=now - dt.timedelta(days=31))
    by_key(revoked_long_ago).update(revoked_at=now - dt.timedelta(days=31))
    kept_service = token_for(service)
    ApiToken.objects.filter(user=service).update(created_at=now - dt.timedelta(days=400), revoked_at=now - dt.timedelta(days=300))
    assert services.tokens_purge(now=now) == 2
    assert by_key(recent).exists() and by_key(kept_service).exists()
    assert not by_key(stale).exists() and not by_key(revoked_long_ago).exists()


def test_token_events_read_in_chinese_in_the_audit_page(api, client, region, service):
    admin = api.as_user(region.supervisor)
    issued = admin.post("/api/v1/tokens/", {"user": service.pk, "name": "生产环境"}, format="json").json()
    admin.post(f"/api/v1/tokens/{issued['id']}/revoke/")
    assert admin.get("/api/v1/users/", {"is_service": "true"}).json()["count"] == 1
    client.force_login(region.supervisor)
    html = client.get("/audit/").content.decode()
    assert "签发令牌" in html and "撤销令牌" in html


@pytest.mark.redis
@override_settings(SERVICE_TOKEN_RATE="2/min")
def test_with_redis_every_process_counts_in_redis(region, service):
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    key = token_for(service)
    assert [status_with(key) for _ in range(3)] == [200, 200, 429]
    assert len(cache.get("throttle_token_" + ApiToken.hash_key(key)[:32])) == 2


@override_settings(
    SERVICE_TOKEN_RATE="2/min",
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}},
)
def test_an_unreachable_cache_does_not_stop_a_service_account(region, service):
    # The rate limit protects the service; with its cache down the requests are served, unlimited, not 500.
    key = token_for(service)
    assert [status_with(key) for _ in range(3)] == [200, 200, 200]
