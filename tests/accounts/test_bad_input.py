"""Bad input to the accounts API is a 400 in Chinese or a 404, never a 500 (issue 12, item 6)."""
import pytest

from tests.factories import AccountFactory


@pytest.fixture
def account(region):
    return AccountFactory(name="甲县教育", platform="weibo", owner=region.bureau, supervisor=region.county)


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["null", "1", "true", "[]", '"文字"'])
def test_a_body_that_is_not_a_json_object_is_a_chinese_400(api, region, account, body):
    client = api.as_user(region.supervisor)
    response = client.generic("PATCH", f"/api/v1/accounts/{account.pk}/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求内容应为 JSON 对象（{…}）。"}
    account.refresh_from_db()
    assert account.name == "甲县教育"


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["0.5", "abc", "99999999999999999999", "-1"])
def test_an_id_that_is_no_whole_number_or_too_large_is_a_404(api, region, account, pk):
    client = api.as_user(region.supervisor)
    for response in (client.get(f"/api/v1/accounts/{pk}/"), client.patch(f"/api/v1/accounts/{pk}/", {"name": "x"})):
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。"}


@pytest.mark.django_db
def test_the_bulk_endpoint_still_takes_a_list_and_says_so_for_anything_else(api, region):
    client = api.as_user(region.supervisor)
    assert client.post("/api/v1/account-updates/", [], format="json").status_code == 200
    response = client.generic("POST", "/api/v1/account-updates/", "null", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "请提交记录的列表（JSON 数组）。"
