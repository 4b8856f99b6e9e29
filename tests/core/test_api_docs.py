"""The OpenAPI schema is valid OpenAPI 3 and the docs page loads every asset from our own server."""
import re

import pytest
import yaml
from django.core.management import call_command


@pytest.mark.django_db
def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    for path in ["/api/v1/organisations/", "/api/v1/users/", "/api/v1/memberships/", "/api/v1/calendar/",
                 "/api/v1/calendar/add-workdays/", "/api/v1/auth/token/", "/api/v1/audit-log/"]:
        assert path in schema["paths"], path


@pytest.mark.django_db
def test_schema_endpoint_and_docs_need_no_network(client, region):
    client.force_login(region.member)
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets, page
    for asset in assets:
        assert asset.startswith("/"), f"external asset {asset}"
        if asset.startswith("/static/"):
            response = client.get(asset)
            assert response.status_code == 200, asset
