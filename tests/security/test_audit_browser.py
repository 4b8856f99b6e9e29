"""The audit administrator finds a failed sign-in on the audit page in a real browser (Chromium)."""
import pytest

from organisations.models import AdminRole
from tests.factories import UserFactory

PASSWORD = "Qingyuan#Audit-2026"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_audit_administrator_filters_security_events(page, sign_in, live_server):
    auditor = UserFactory(username="shenji", display_name="沈计", admin_role=AdminRole.AUDIT)
    auditor.set_password(PASSWORD)
    auditor.save()
    UserFactory(username="wangfang")

    sign_in("wangfang", "not-her-password")
    assert "用户名或密码不正确" in page.content()
    sign_in("shenji", PASSWORD)
    page.goto(f"{live_server.url}/audit/")
    page.locator("select[name=action]").select_option(label="安全事件")
    page.locator("select[name=object_type]").select_option(label="用户")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    rows = page.locator("table tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    failed = [text for text in texts if "登录失败" in text]
    assert failed and "wangfang" in failed[0] and "127.0.0.1" in failed[0]
    signed_in = [text for text in texts if "登录失败" not in text and "登录" in text]
    assert signed_in and ("沈计" in signed_in[0] or "shenji" in signed_in[0])
