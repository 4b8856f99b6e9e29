"""The 接口账号 page in a browser: an administrator creates a service account, issues a token, and revokes it;
the token is tried against the live server as the other system would."""
import json
import urllib.error
import urllib.request

import pytest

from organisations.models import Membership, Role, User
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def api_status(live_server, key, path="/api/v1/organisations/"):
    request = urllib.request.Request(f"{live_server.url}{path}", headers={"Authorization": f"Token {key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, None


def test_an_administrator_issues_and_revokes_a_service_token(page, sign_in, live_server, region):
    sign_in("supervisor", PASSWORD)
    page.get_by_role("link", name="接口账号").first.click()
    page.get_by_label("账号名").fill("city-platform")
    page.get_by_label("说明").fill("市级监管平台")
    page.get_by_label("所属单位").select_option(label="甲县人民政府")
    page.get_by_role("button", name="创建").click()
    assert page.get_by_text("已创建接口账号“city-platform”").is_visible()
    # Its scope comes from a role, granted like anyone's.
    Membership.objects.create(user=User.objects.get(username="city-platform"), organisation=region.county, role=Role.AUDITOR)

    page.get_by_label("令牌名称").fill("生产环境")
    page.get_by_role("button", name="签发令牌").click()
    key = page.locator("code.token-key").inner_text()
    assert page.get_by_text("离开本页后将无法再次查看").is_visible()
    status, body = api_status(live_server, key)
    assert status == 200 and "甲县人民政府" in {o["name"] for o in body["results"]}

    page.goto(f"{live_server.url}/service-accounts/")
    assert page.locator("code.token-key").count() == 0
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="撤销").click()
    assert page.get_by_text("已撤销令牌").is_visible()
    assert api_status(live_server, key)[0] == 401
