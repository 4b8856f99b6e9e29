"""Sign-in: the token endpoint, the login page, lockout after repeated failures, idle timeout."""
import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.factories import PASSWORD


@pytest.mark.django_db
def test_token_endpoint(api, region):
    response = api.post("/api/v1/auth/token/", {"username": "editor", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/organisations/").status_code == 200


@pytest.mark.django_db
def test_token_endpoint_bad_input_is_400(api, region):
    assert api.post("/api/v1/auth/token/", {}, format="json").status_code == 400
    response = api.post("/api/v1/auth/token/", {"username": "editor", "password": "wrong"}, format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()


@pytest.mark.django_db
def test_five_failures_lock_the_account_even_with_the_right_password(api, region):
    for _ in range(4):
        response = api.post("/api/v1/auth/token/", {"username": "editor", "password": "wrong"}, format="json")
        assert response.status_code == 400
    assert api.post("/api/v1/auth/token/", {"username": "editor", "password": "wrong"}, format="json").status_code == 429
    response = api.post("/api/v1/auth/token/", {"username": "editor", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]
    # Another person is not locked out by the editor's failures.
    assert api.post("/api/v1/auth/token/", {"username": "principal", "password": PASSWORD}, format="json").status_code == 200


@pytest.mark.django_db
def test_login_page_locks_out_in_chinese(client, region):
    for _ in range(4):
        response = client.post("/login/", {"username": "editor", "password": "wrong"})
        assert "用户名或密码不正确" in response.content.decode()
    assert client.post("/login/", {"username": "editor", "password": "wrong"}).status_code == 429
    response = client.post("/login/", {"username": "editor", "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


@pytest.mark.django_db
def test_login_page_signs_in_and_logout_signs_out(client, region):
    page = client.get("/login/")
    assert "登录" in page.content.decode() and page.status_code == 200
    response = client.post("/login/", {"username": "editor", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    assert "您好" in client.get("/").content.decode()
    client.post("/logout/")
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_idle_session_ends(client, region, settings):
    client.post("/login/", {"username": "editor", "password": PASSWORD})
    assert client.get("/").status_code == 200
    session = Session.objects.get()
    # Each request pushes expiry forward by the idle timeout.
    remaining = session.expire_date - timezone.now()
    assert dt.timedelta(minutes=settings.SESSION_COOKIE_AGE // 60 - 1) < remaining <= dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")
