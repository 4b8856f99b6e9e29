"""Downloads are named in Chinese (RFC 5987 `filename*`), so an office's folder of exports reads as it should."""
import datetime as dt
from urllib.parse import unquote

import pytest
from django.utils import timezone

from organisations.models import Role
from tests.factories import AccountFactory, SiteFactory, person

pytestmark = pytest.mark.django_db


def filename(response) -> str:
    header = response["Content-Disposition"]
    assert header.startswith("attachment;"), header
    assert "filename*=utf-8''" in header, header
    return unquote(header.split("filename*=utf-8''", 1)[1])


def test_register_template_and_review_register_are_named_in_chinese(client, api, region):
    AccountFactory(name="甲县教育", owner=region.bureau)
    site = SiteFactory(name="甲县人民政府网", owner=region.county)
    today = timezone.localdate()
    client.force_login(region.supervisor)
    assert filename(client.get("/accounts/register.xlsx")) == f"政务新媒体账号台账-{today:%Y%m%d}.xlsx"
    assert filename(api.as_user(region.supervisor).get("/api/v1/accounts/export/")) == (
        f"政务新媒体账号台账-{today:%Y%m%d}.xlsx")
    assert filename(client.get(f"/sites/{site.pk}/columns/template.csv")) == "栏目导入模板.csv"
    principal = person("principal2", region.bureau, Role.PRINCIPAL)
    client.force_login(principal)
    response = client.get("/register/", {"start": "2026-09-28", "end": "2026-10-09", "format": "xlsx"})
    assert filename(response) == "审校台账-20260928-20261009.xlsx"
    response = api.as_user(principal).get("/api/v1/register/", {"from": dt.date(2026, 9, 28), "to": dt.date(2026, 10, 9),
                                                                "format": "xlsx"})
    assert response.status_code == 200, response.content[:300]
    assert filename(response) == "审校台账-20260928-20261009.xlsx"
