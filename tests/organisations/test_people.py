"""People and sessions (issue 12 item 2; SPEC "Security model"): 三员分立, the second factor, password expiry
and rules, throttled failures, token revocation, password resets and the last system administrator."""
import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.filing_services import actionable_filings
from accounts.models import FilingStage, FilingStatus
from govmedia.core.models import AuditEntry
from organisations import access, services
from organisations.models import AdminRole, ApiToken, Role, User
from organisations.signin import new_recovery_codes
from tests.factories import PASSWORD, AccountFactory, FilingFactory, UserFactory, token_for

NEW_PASSWORD = "Lantern#Quay58"
# A fixed day (never today): the 国庆 holiday of 2026, 91 and 89 days after two password changes.
NOW = dt.datetime(2026, 10, 8, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def second_factor(settings):
    settings.SECOND_FACTOR_REQUIRED = True


@pytest.fixture
def admins(db):
    return {role: UserFactory(username=f"{role}_admin", admin_role=role) for role in AdminRole.values}


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)


def code(device) -> str:
    device.refresh_from_db()
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def token_request(username, password=PASSWORD, address="10.0.0.1", **extra):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password, **extra},
                            format="json", REMOTE_ADDR=address)


def actions(**filters):
    return list(AuditEntry.objects.filter(**filters).values_list("workflow_action", flat=True))


# --- 三员分立 -------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_each_administrator_has_one_duty_and_the_superuser_all_three(admins, region):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    questions = [access.is_system_admin, access.is_security_admin, access.is_audit_admin]
    assert [[ask(admins[role]) for ask in questions] for role in ("system", "security", "audit")] == [
        [True, False, False], [False, True, False], [False, False, True]]
    assert [ask(superuser) for ask in questions] == [True, True, True]
    assert not any(ask(region.supervisor) for ask in questions)
    # The audit administrator reads the whole log and nothing else; the system administrator keeps units.
    assert access.can_read_audit(admins["audit"]) and not access.can_read_audit(admins["system"])
    assert not access.can_manage_organisation(admins["audit"], region.bureau)
    assert access.can_manage_organisation(admins["system"], region.other_county_bureau)
    assert not access.organisation_ids_for(admins["system"]).exists()  # no business rows



@pytest.mark.django_db
def test_the_system_administrator_keeps_units_and_people_everywhere(api, admins, region):
    system = api.as_user(admins["system"])
    response = system.post("/api/v1/organisations/", {"name": "丙县人民政府", "kind": "government"}, format="json")
    assert response.status_code == 201
    assert api.as_user(region.supervisor).post(
        "/api/v1/organisations/", {"name": "丁县人民政府", "kind": "government"}, format="json").status_code == 400
    response = api.as_user(admins["system"]).post("/api/v1/users/", {
        "username": "newcomer", "password": NEW_PASSWORD, "home_organisation": region.other_county_bureau.pk},
        format="json")
    assert response.status_code == 201
    # ... but neither the system nor the audit administrator resets a password (the security administrator's).
    assert api.as_user(admins["system"]).patch(f"/api/v1/users/{region.member.pk}/", {"password": NEW_PASSWORD},
                                               format="json").status_code == 403


@pytest.mark.django_db
def test_nobody_holds_two_duties_or_a_duty_and_a_business_role(api, admins, region):
    security = api.as_user(admins["security"])
    # An administrator takes no business role ...
    response = security.post("/api/v1/memberships/", {"user": admins["system"].pk, "organisation": region.county.pk,
                                                      "role": Role.SUPERVISOR}, format="json")
    assert response.status_code == 400 and "三员分立" in response.json()["role"][0]
    # ... a person with a business role takes no duty, and a duty is one value, never a list of two.
    response = security.patch(f"/api/v1/users/{region.member.pk}/", {"admin_role": "audit"}, format="json")
    assert response.status_code == 400 and "三员分立" in response.json()["admin_role"][0]
    fresh = UserFactory(username="fresh", home_organisation=region.county)
    response = security.patch(f"/api/v1/users/{fresh.pk}/", {"admin_role": ["system", "audit"]}, format="json")
    assert response.status_code == 400
    assert security.patch(f"/api/v1/users/{fresh.pk}/", {"admin_role": "audit"}, format="json").status_code == 200
    assert User.objects.get(pk=fresh.pk).admin_role == "audit"
    assert "role_grant" in actions(object_pk=str(fresh.pk), actor=admins["security"])
    # Only the security administrator assigns duties, never their own.
    response = api.as_user(region.supervisor).patch(f"/api/v1/users/{fresh.pk}/", {"admin_role": ""}, format="json")
    assert response.status_code == 403
    response = api.as_user(admins["security"]).patch(
        f"/api/v1/users/{admins['security'].pk}/", {"admin_role": "system"}, format="json")
    assert response.status_code == 403


@pytest.mark.django_db
def test_no_administrator_decides_a_filing_the_superuser_included(admins, region):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    account = AccountFactory(owner=region.bureau)
    filing = FilingFactory(account=account, status=FilingStatus.PENDING, stage=FilingStage.OWNER_PRINCIPAL)
    assert access.can_decide_filing(region.owner, filing)  # the bureau's principal does
    assert list(actionable_filings(region.owner)) == [filing]
    for user in [superuser, *admins.values()]:
        assert not access.can_decide_filing(user, filing)
        assert not actionable_filings(user).exists()
        # Nor acts for, directs or writes for a unit (findings, sites, review policies, posts).
        assert not access.can_act_for_unit(user, region.bureau)
        assert not access.can_direct_unit(user, region.bureau)
        assert not access.can_write(user, region.bureau)
    assert access.can_act_for_unit(region.supervisor, region.bureau) and access.can_write(region.member, region.bureau)


# --- The second factor ------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_tokens_for_supervisors_need_the_code_and_a_recovery_code_works_once(second_factor, region):
    response = token_request("supervisor")
    assert response.status_code == 400 and "绑定" in response.json()["otp"][0]
    device = enrol(region.supervisor)
    response = token_request("supervisor")
    assert response.status_code == 400 and "动态口令" in response.json()["otp"][0]
    response = token_request("supervisor", otp="000000" if code(device) != "000000" else "111111")
    assert response.status_code == 401 and "动态口令" in response.json()["detail"]
    # django-otp slows down guessing: right after a failure even the right code waits (1 s, doubling).
    assert token_request("supervisor", otp=code(device)).status_code == 401
    device.refresh_from_db()
    device.throttle_reset()
    assert token_request("supervisor", otp=code(device)).status_code == 200
    recovery = new_recovery_codes(region.supervisor)
    assert token_request("supervisor", otp=recovery[0]).status_code == 200
    assert token_request("supervisor", otp=recovery[0]).status_code == 401  # used up
    assert StaticToken.objects.filter(device__user=region.supervisor).count() == 9
    # An editor needs no second factor.
    assert token_request("editor").status_code == 200
    assert actions(workflow_action="login", actor=region.supervisor) == ["login", "login"]


@pytest.mark.django_db
def test_enrolment_page_shows_the_qr_code_and_secret_then_the_recovery_codes_once(second_factor, client, region):
    client.post("/login/", {"username": "supervisor", "password": PASSWORD})
    response = client.get("/organisations/")
    assert response.status_code == 302 and response["Location"].startswith("/login/otp/setup/")
    # The API and the password change are closed to a session that owes its second factor.
    assert client.get("/api/v1/organisations/").status_code == 403
    assert client.get("/password/change/")["Location"].startswith("/login/otp/setup/")
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "otp-secret" in page and "http" not in page.split("<svg")[1].split("</svg>")[0].replace(
        "http://www.w3.org", "")
    device = TOTPDevice.objects.get(user=region.supervisor, confirmed=False)
    response = client.post("/login/otp/setup/?next=/organisations/", {"code": "12345x"})
    assert response.status_code == 400 and "不正确" in response.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # the wrong code above slowed this device down (django-otp)
    response = client.post("/login/otp/setup/?next=/organisations/", {"code": code(device)})
    codes = re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())
    assert len(codes) == 10 and "只显示这一次" in response.content.decode()
    assert client.get("/organisations/").status_code == 200
    # Later sign-ins ask for the code after the password; a recovery code passes once.
    client.post("/logout/")
    client.post("/login/", {"username": "supervisor", "password": PASSWORD})
    assert client.get("/organisations/")["Location"].startswith("/login/otp/?")
    assert client.post("/login/otp/", {"code": codes[0]}).status_code == 302
    assert client.get("/organisations/").status_code == 200
    client.post("/logout/")
    client.post("/login/", {"username": "supervisor", "password": PASSWORD})
    response = client.post("/login/otp/", {"code": codes[0]})
    assert response.status_code == 400 and "不正确" in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_supervisor_signs_in_with_password_then_code_in_a_browser(second_factor, page, sign_in, live_server, region):
    device = enrol(region.supervisor)
    sign_in("supervisor", PASSWORD)
    assert "/login/otp/" in page.url
    page.get_by_label("动态口令或恢复码").fill(code(device))
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/"
    assert page.get_by_role("heading", name=re.compile("^您好")).is_visible()


# --- Passwords --------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_expired_password_leads_to_the_change_page(client, region, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    User.objects.filter(pk=region.member.pk).update(password_changed_at=NOW - dt.timedelta(days=91))
    User.objects.filter(pk=region.owner.pk).update(password_changed_at=NOW - dt.timedelta(days=89))
    assert User.objects.get(pk=region.member.pk).password_expired()
    assert not User.objects.get(pk=region.owner.pk).password_expired()
    assert token_request("editor").status_code == 403
    old_token = token_for(region.member)
    client.post("/login/", {"username": "editor", "password": PASSWORD})
    response = client.get("/organisations/")
    assert response.status_code == 302 and response["Location"].startswith("/password/change/")
    assert "超过有效期" in client.get(response["Location"]).content.decode()
    response = client.post("/password/change/", {"old_password": PASSWORD, "new_password": "Admin@123",
                                                 "new_password2": "Admin@123"})
    assert response.status_code == 400 and "Admin@123" in response.content.decode()  # a pattern password
    response = client.post("/password/change/?next=/organisations/", {
        "old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/organisations/"
    assert client.get("/organisations/").status_code == 200
    member = User.objects.get(pk=region.member.pk)
    assert member.password_changed_at == NOW and not member.password_expired()
    assert APIClient().get("/api/v1/organisations/", HTTP_AUTHORIZATION=f"Token {old_token}").status_code == 401
    assert "password_change" in actions(object_pk=str(member.pk))


@pytest.mark.django_db
@pytest.mark.parametrize("password, message", [
    ("Admin@123", "常见单词或键盘序列"),
    ("Password1!", "过于常见"),
    ("Qwer@1234", "常见单词或键盘序列"),
    ("Ab1!", "密码太短"),
    ("20261008", "全部为数字"),
])
def test_common_and_pattern_passwords_are_refused_in_chinese(api, region, password, message):
    response = api.as_user(region.supervisor).post("/api/v1/users/", {
        "username": "newcomer", "password": password, "home_organisation": region.bureau.pk}, format="json",
        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert any(message in text for text in response.json()["password"])
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in response.json()["password"])


@pytest.mark.django_db
def test_only_the_security_administrator_resets_a_password_which_must_then_be_changed(api, admins, region):
    old_token = token_for(region.member)
    for actor in (region.supervisor, admins["system"], admins["audit"]):
        response = api.as_user(actor).post(f"/api/v1/users/{region.member.pk}/reset-password/",
                                           {"password": NEW_PASSWORD}, format="json")
        assert response.status_code in (403, 404)
    response = api.as_user(admins["security"]).post(f"/api/v1/users/{region.member.pk}/reset-password/",
                                                    {"password": NEW_PASSWORD}, format="json")
    assert response.status_code == 204
    assert APIClient().get("/api/v1/organisations/", HTTP_AUTHORIZATION=f"Token {old_token}").status_code == 401
    response = token_request("editor", NEW_PASSWORD)
    assert response.status_code == 403 and "修改密码" in response.json()["detail"]
    entry = AuditEntry.objects.get(workflow_action="password_reset")
    assert entry.actor == admins["security"] and entry.object_pk == str(region.member.pk)
    # Changing it through the API (with the reset one as the old) opens the way again.
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=region.member.pk))
    response = client.post("/api/v1/auth/password/", {"old_password": NEW_PASSWORD, "new_password": "Harbour&Kite93"},
                           format="json")
    assert response.status_code == 204
    assert token_request("editor", "Harbour&Kite93").status_code == 200


# --- Failures, lockout, unlocking --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_failures_elsewhere_cannot_lock_a_person_out_and_the_security_administrator_unlocks(api, admins, region):
    for _ in range(5):
        token_request("editor", "wrong", address="203.0.113.9")
    response = token_request("editor", address="203.0.113.9")
    assert response.status_code == 429 and "锁定" in response.json()["detail"]
    assert token_request("editor", address="10.0.0.1").status_code == 200  # at the office: not locked
    assert "lockout" in actions(object_pk=str(region.member.pk))
    assert api.as_user(region.supervisor).post(f"/api/v1/users/{region.member.pk}/unlock/").status_code == 403
    response = api.as_user(admins["security"]).post(f"/api/v1/users/{region.member.pk}/unlock/")
    assert response.status_code == 200 and response.json()["unlocked"] >= 1
    assert token_request("editor", address="203.0.113.9").status_code == 200


@pytest.mark.django_db
def test_one_address_guessing_at_many_names_is_throttled(settings, client, region):
    settings.ADDRESS_FAILURE_LIMIT = 6
    for name in ["editor", "principal", "neighbour"]:
        for _ in range(2):
            assert token_request(name, "wrong", address="198.51.100.7").status_code == 400
    response = token_request("auditor", address="198.51.100.7")
    assert response.status_code == 429 and "该网络地址" in response.json()["detail"]
    assert token_request("auditor", address="10.0.0.1").status_code == 200
    # The sign-in page says the same, in Chinese.
    response = client.post("/login/", {"username": "auditor", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429 and "该网络地址" in response.content.decode()


# --- Tokens and the last system administrator --------------------------------------------------------------------

@pytest.mark.django_db
def test_deactivation_and_logout_revoke_tokens(api, admins, region):
    first, second = token_for(region.member), token_for(region.member)
    logout = APIClient().post("/api/v1/auth/logout/", HTTP_AUTHORIZATION=f"Token {first}")
    assert logout.status_code == 204
    assert ApiToken.objects.filter(user=region.member, revoked_at__isnull=True).count() == 1
    assert api.as_user(admins["system"]).delete(f"/api/v1/users/{region.member.pk}/").status_code == 204
    assert APIClient().get("/api/v1/organisations/", HTTP_AUTHORIZATION=f"Token {second}").status_code == 401
    assert set(actions(object_pk=str(region.member.pk))) >= {"logout", "token_revoke"}


@pytest.mark.django_db
def test_the_last_system_administrator_and_the_last_superuser_stay(api, admins, region):
    system = admins["system"]
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    response = api.as_user(root).patch(f"/api/v1/users/{system.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 400 and "最后一名" in response.json()["is_active"][0]
    response = api.as_user(admins["security"]).patch(f"/api/v1/users/{system.pk}/", {"admin_role": ""}, format="json")
    assert response.status_code == 400 and "最后一名" in response.json()["admin_role"][0]
    second = UserFactory(username="system2", admin_role=AdminRole.SYSTEM)
    assert api.as_user(second).delete(f"/api/v1/users/{system.pk}/").status_code == 204
    assert not User.objects.get(pk=system.pk).is_active
    # The only superuser is not switched off either (by himself or through the service by anyone).
    response = api.as_user(root).patch(f"/api/v1/users/{root.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 400
    with pytest.raises(ValidationError) as refused:
        services.user_update(user=root, is_active=False, actor=second)
    assert "超级管理员" in refused.value.message_dict["is_active"][0]
    assert User.objects.get(pk=root.pk).is_active


@pytest.mark.django_db
def test_the_security_administrator_resets_and_unlocks_on_the_person_page(client, admins, region):
    client.force_login(region.supervisor)
    assert "账户安全" not in client.get(f"/people/{region.member.pk}/").content.decode()
    response = client.post(f"/people/{region.member.pk}/security/", {"action": "reset", "password": NEW_PASSWORD})
    assert response.status_code == 403
    client.force_login(admins["security"])
    page = client.get(f"/people/{region.member.pk}/").content.decode()
    assert "重置密码" in page and "解除登录锁定" in page
    response = client.post(f"/people/{region.member.pk}/security/", {"action": "reset", "password": "Admin@123"})
    assert "常见单词" in client.get(response["Location"]).content.decode()
    client.post(f"/people/{region.member.pk}/security/", {"action": "reset", "password": NEW_PASSWORD})
    member = User.objects.get(pk=region.member.pk)
    assert member.must_change_password and member.check_password(NEW_PASSWORD)
    client.post(f"/people/{region.member.pk}/security/", {"action": "unlock"})
    enrol(region.supervisor)
    client.post(f"/people/{region.supervisor.pk}/security/", {"action": "second_factor"})
    assert not TOTPDevice.objects.filter(user=region.supervisor).exists()
    assert "otp_reset" in actions(object_pk=str(region.supervisor.pk), actor=admins["security"])
    assert actions(object_pk=str(member.pk), actor=admins["security"]) == ["password_reset", "lockout"] or set(
        actions(object_pk=str(member.pk), actor=admins["security"])) >= {"password_reset", "lockout"}


@pytest.mark.django_db
def test_the_demo_code_command_reads_only_demo_devices(region):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from organisations.demo import enrol_demo_totp

    with pytest.raises(CommandError):
        call_command("demo_otp", stdout=StringIO())
    enrol(region.outsider)  # a real device: never read
    device = enrol_demo_totp(region.supervisor)
    out = StringIO()
    call_command("demo_otp", "supervisor", stdout=out)
    assert out.getvalue().strip() == code(device)


@pytest.mark.django_db
def test_demo_administrators_and_supervisors_sign_in_with_the_documented_secret(second_factor):
    from io import StringIO

    from django.core.management import call_command

    from organisations import demo

    region = demo.seed()
    people = region["people"]
    assert [people[name].admin_role for name in ("sys_admin", "sec_admin", "audit_admin")] == [
        "system", "security", "audit"]
    assert not people["sys_admin"].memberships.exists()
    enrolled = set(TOTPDevice.objects.filter(name=demo.DEMO_TOTP_NAME).values_list("user__username", flat=True))
    assert {"admin", "sys_admin", "sec_admin", "audit_admin", "office_zhang", "office_li"} == enrolled
    out = StringIO()
    call_command("demo_otp", "sys_admin", stdout=out)
    assert token_request("sys_admin", demo.DEMO_PASSWORD, otp=out.getvalue().strip()).status_code == 200
    assert token_request("edu_editor", demo.DEMO_PASSWORD).status_code == 200


@pytest.mark.django_db
def test_the_code_page_shows_no_menu_and_no_bell_before_the_second_factor(second_factor, client, region):
    # The sidebar (nav_groups) and the unread bell used to show the person's whole menu and work on this page.
    enrol(region.supervisor)
    client.post("/login/", {"username": "supervisor", "password": PASSWORD})
    page = client.get("/login/otp/").content.decode()
    assert "动态口令" in page
    assert 'id="sidebar"' not in page and "检查问题" not in page and 'class="bell' not in page
