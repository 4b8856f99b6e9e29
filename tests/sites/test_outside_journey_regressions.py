"""Found by importing an office's own column list from outside the suite."""
import pytest

from sites.models import Column

from .test_import import csv_file, portal, post  # noqa: F401  (portal is a fixture)

pytestmark = pytest.mark.django_db


def test_the_usual_short_forms_of_the_periodic_categories_are_understood(api, region, portal):  # noqa: F811
    rows = [["公开年报", "", "按年", "", "", ""], ["统计月报", "", "按月", "", "", ""], ["季度数据", "", "按季度", "", "", ""]]
    response = post(api, region.supervisor, portal, csv_file(rows))
    assert response.status_code == 201, response.json()
    assert dict(Column.objects.filter(site=portal).values_list("name", "category")) == {
        "公开年报": "annual", "统计月报": "monthly", "季度数据": "quarterly",
    }
