"""The county's supervisor connects the city's platform: registers a webhook on the page, copies the secret shown
once, sends a test, and sees it delivered (the receiver checks the signature with the copied secret)."""
import pytest

from tests.browser_helpers import in_browser
from tests.factories import PASSWORD
from webhooks import services
from webhooks.models import Delivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def sign_in(page, live_server):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("supervisor")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_register_a_webhook_send_a_test_and_see_it_delivered(live_server, region, receiver):
    shown = {}

    def register(page):
        sign_in(page, live_server)
        page.get_by_role("link", name="接口推送").first.click()
        page.get_by_role("link", name="新建接口推送").click()
        page.get_by_label("所属单位").select_option(label="甲县人民政府")
        page.get_by_label("推送地址").fill(receiver.url)
        page.get_by_label("备案已审批通过").check()
        page.get_by_label("问题已整改").check()
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("heading", name="签名密钥（只显示这一次）")).to_be_visible()
        shown["secret"] = page.locator("#new-secret").inner_text()
        expect(page.get_by_text("备案已审批通过、问题已整改")).to_be_visible()
        page.get_by_role("button", name="发送测试").click()
        expect(page.get_by_text("已发送测试推送")).to_be_visible()
        expect(page.get_by_role("row").filter(has_text="测试推送").get_by_text("待发送")).to_be_visible()
        assert page.locator("#new-secret").count() == 0  # never shown again

    in_browser(register)
    ping = Delivery.objects.get(event="ping")
    services.deliver(ping.pk)  # what the worker does once the commit has queued it
    [got] = receiver.wait(1)
    assert got.signature_ok(shown["secret"]) and got.json()["event"] == "ping"

    def delivered(page):
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/webhooks/{ping.webhook_id}/")
        row = page.get_by_role("row").filter(has_text="测试推送")
        expect(row.get_by_text("已送达")).to_be_visible()
        expect(row.get_by_text("响应码 200")).to_be_visible()

    in_browser(delivered)
