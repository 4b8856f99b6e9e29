"""The one API exception handler: services raise Django's and our domain errors, the API answers in DRF's shape."""
import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404

from govmedia.core.api import exception_handler
from govmedia.core.exceptions import DomainConflict
from tests.factories import AccountFactory


def answer(exc):
    response = exception_handler(exc, {})
    return response.status_code, response.data


def test_validation_errors_are_400_per_field_and_non_field():
    assert answer(ValidationError({"name": "请填写名称。", "__all__": "整体有误。"})) == (
        400, {"name": ["请填写名称。"], "non_field_errors": ["整体有误。"]}
    )
    assert answer(ValidationError("整体有误。")) == (400, {"non_field_errors": ["整体有误。"]})


def test_a_refusal_is_403_with_the_services_reason():
    status, data = answer(PermissionDenied("只有主管单位工作人员可以维护词表。"))
    assert status == 403 and data["detail"] == "只有主管单位工作人员可以维护词表。"
    status, data = answer(PermissionDenied())
    assert status == 403 and data["detail"]


def test_unknown_or_out_of_scope_objects_are_the_same_404():
    by_404 = answer(Http404("No Account matches the given query."))
    by_lookup = answer(ObjectDoesNotExist())
    assert by_404 == by_lookup and by_404[0] == 404
    assert "Account" not in str(by_404[1]["detail"])


def test_a_state_clash_is_409_with_its_extra_fields():
    assert answer(DomainConflict("该问题已确认整改。", current="rectified")) == (
        409, {"detail": "该问题已确认整改。", "current": "rectified"}
    )


@pytest.mark.django_db
def test_an_unknown_id_and_one_out_of_scope_get_the_same_chinese_404(api, region):
    # Found by trying the API from outside the suite, as a newcomer would.
    foreign = AccountFactory(name="乙县教育", platform="weibo", owner=region.other_county_bureau,
                             supervisor=region.other_county)
    client = api.as_user(region.member)
    unknown = client.get("/api/v1/accounts/99999999/")
    outside = client.get(f"/api/v1/accounts/{foreign.pk}/")
    assert unknown.status_code == outside.status_code == 404
    assert unknown.json() == outside.json() == {"detail": "未找到。"}
