"""三员分立 (issue 12): the superuser keeps every administrative power but supervises nothing and decides no business
workflow — no inspection, bulletin, report revision, checklist, scan verdict or rectification decision — while the
admin site and the administrators' pages still work for him."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from inspections import services as inspection_services
from organisations import access
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_the_superuser_supervises_nothing(root, region):
    assert not root.supervises(region.county) and not root.supervises(region.bureau)
    assert not root.is_supervisor
    for ask in (access.can_run_inspection, access.can_publish_bulletin, access.can_issue_report,
                access.can_edit_checklist, access.can_review_rectification):
        assert not ask(root, region.county), ask.__name__
    assert not access.can_run_inspection(root)  # nor everything at once
    assert not access.runs_inspections(root)
    # A supervisor is one through a membership, as before.
    assert region.supervisor.supervises(region.bureau) and access.can_run_inspection(region.supervisor, region.county)
    # His administrative powers stay.
    assert access.can_manage_organisation(root, region.county) and access.can_manage_user(root, region.member)
    assert access.can_see_webhooks(root) and access.can_manage_webhooks(root, region.county)


def test_the_superuser_cannot_start_an_inspection(root, region):
    for organisation in (None, region.county):
        with pytest.raises(PermissionDenied):
            inspection_services.inspection_create(as_of=dt.date(2024, 10, 1), organisation=organisation, user=root)


def test_his_pages_still_work(root, region, client):
    client.force_login(root)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/inspections/finding/").status_code == 200
    page = client.get("/inspections/")
    assert page.status_code == 200 and "发起检查" not in page.content.decode()
    assert client.post("/inspections/", {"as_of": "2024-10-01"}).status_code in (200, 403)
    assert not inspection_services.Inspection.objects.exists()
