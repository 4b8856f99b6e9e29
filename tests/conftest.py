from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from accounts.models import OrganisationKind, Role

from .factories import OrganisationFactory, person


@pytest.fixture
def region(db):
    """Two counties. In county A: the government (supervised by the office), a bureau with its staff, an
    internal section; county B is the outsider's. Each person is named for how they relate to the bureau."""
    county = OrganisationFactory(name="甲县人民政府", kind=OrganisationKind.GOVERNMENT)
    bureau = OrganisationFactory(name="甲县教育局", parent=county)
    other_bureau = OrganisationFactory(name="甲县卫生健康局", parent=county)
    section = OrganisationFactory(name="甲县教育局办公室", parent=bureau, kind=OrganisationKind.INTERNAL)
    other_county = OrganisationFactory(name="乙县人民政府", kind=OrganisationKind.GOVERNMENT)
    other_county_bureau = OrganisationFactory(name="乙县教育局", parent=other_county)
    return SimpleNamespace(
        county=county, bureau=bureau, other_bureau=other_bureau, section=section,
        other_county=other_county, other_county_bureau=other_county_bureau,
        supervisor=person("supervisor", county, Role.SUPERVISOR),
        owner=person("principal", bureau, Role.PRINCIPAL),
        member=person("editor", bureau, Role.EDITOR),
        neighbour=person("neighbour", other_bureau, Role.EDITOR),
        outsider=person("outsider", other_county, Role.SUPERVISOR),
        auditor=person("auditor", county, Role.AUDITOR),
    )


@pytest.fixture
def api():
    """An API client; `api.as_user(u)` authenticates as u with a real token."""
    client = APIClient()

    def as_user(user):
        from rest_framework.authtoken.models import Token

        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    client.as_user = as_user
    return client
