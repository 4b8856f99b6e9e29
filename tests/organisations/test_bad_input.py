"""Bad input to the organisations API is a 400 in Chinese, never a 500 (issue 12, item 6)."""
import pytest
from rest_framework.test import APIClient

from organisations.models import Organisation
from tests.factories import UserFactory


@pytest.mark.django_db
def test_a_unit_without_parent_is_a_chinese_400_for_a_supervisor(api, region):
    response = api.as_user(region.supervisor).post("/api/v1/organisations/", {"name": "新单位", "kind": "department"})
    assert response.status_code == 400
    assert response.json() == {"parent": ["只有系统管理员可以创建顶级单位。"]}
    assert not Organisation.objects.filter(name="新单位").exists()


@pytest.mark.django_db
def test_a_unit_without_parent_is_a_top_level_unit_for_the_administrator(api, region):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    response = api.as_user(root).post("/api/v1/organisations/", {"name": "丙县人民政府", "kind": "government"})
    assert response.status_code == 201, response.json()
    assert response.json()["parent"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[" * 100000, "[" * 33 + "]" * 33, '{"a":' * 40 + "1" + "}" * 40])
def test_deeply_nested_json_before_sign_in_is_a_400(body):
    client = APIClient()
    response = client.generic("POST", "/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "嵌套过深" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/organisations/abc/", "/api/v1/users/0.5/", "/api/v1/memberships/99999999999999999999/"])
def test_ids_in_paths_that_are_not_whole_numbers_or_too_large_are_404(api, region, path):
    response = api.as_user(region.supervisor).get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}
