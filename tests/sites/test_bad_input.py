"""Bad ids in the sites API's paths are a 404, never a 500 (issue 12, item 6)."""
import pytest

from tests.factories import ColumnFactory, SiteFactory


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["abc", "0.5", "99999999999999999999"])
def test_a_column_update_for_a_bad_column_id_is_a_404(api, region, pk):
    response = api.as_user(region.member).post(
        f"/api/v1/columns/{pk}/updates/", {"published_at": "2024-09-30T10:00:00+08:00", "title": "通知"}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/sites/abc/", "/api/v1/sites/0.5/", "/api/v1/sites/99999999999999999999/",
                                  "/api/v1/columns/1e3/", "/api/v1/probes/0.5/", "/api/v1/broken-links/99999999999999999999/"])
def test_detail_routes_answer_bad_ids_with_the_apis_404(api, region, path):
    response = api.as_user(region.supervisor).get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


@pytest.mark.django_db
def test_a_good_column_id_still_reaches_its_updates(api, region):
    column = ColumnFactory(site=SiteFactory(owner=region.bureau))
    response = api.as_user(region.member).get(f"/api/v1/columns/{column.pk}/updates/")
    assert response.status_code == 200
