"""Filters on a related id are no existence oracle (issue 12): an id that does not exist and one outside the
caller's scope answer exactly alike, on every list endpoint of the router."""
import pytest
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.test import APIRequestFactory, force_authenticate

from govmedia.api_urls import router
from govmedia.core.api import IdFilter
from organisations.models import Organisation, User

MISSING = 987654321


def _id_filters(viewset, user):
    """(list URL, {parameter: related model}) of each routed viewset that filters on related ids."""
    request = APIRequestFactory().get("/")
    force_authenticate(request, user=user)
    view = viewset(action="list", action_map={"get": "list"}, format_kwarg=None, args=(), kwargs={})
    view.request = view.initialize_request(request)
    if not any(issubclass(backend, DjangoFilterBackend) for backend in getattr(view, "filter_backends", ())):
        return {}
    filterset = DjangoFilterBackend().get_filterset_class(view, view.get_queryset())
    if filterset is None:
        return {}
    found = {}
    for name, flt in filterset.base_filters.items():
        if not isinstance(flt, IdFilter):
            continue
        if flt.method:  # a unit and everything below it ("within", a finding's "organisation")
            found[name] = Organisation
            continue
        model = filterset._meta.model
        for part in flt.field_name.split("__"):
            model = model._meta.get_field(part).related_model
        found[name] = model
    return found


def _routes(user):
    for prefix, viewset, basename in router.registry:
        if not hasattr(viewset, "list"):
            continue
        filters = _id_filters(viewset, user)
        if filters:
            yield reverse(f"{basename}-list"), filters


@pytest.mark.django_db
def test_every_relation_filter_answers_a_missing_and_an_out_of_scope_id_alike(api, region):
    user = region.member
    client = api.as_user(user)
    out_of_scope = {Organisation: region.other_county_bureau.pk, User: region.outsider.pk}
    checked = []
    for url, filters in _routes(user):
        if client.get(url).status_code != 200:  # not this user's list at all (the audit log: its administrator's)
            continue
        for name, model in filters.items():
            # Found by the fuzzer: a number no id column holds reached the database (a 500). It is bad input.
            assert client.get(url, {name: "-1.3607067445447153e+175"}).status_code == 400, (url, name)
            missing = client.get(url, {name: MISSING})
            assert missing.status_code == 200, (url, name, missing.content[:300])
            assert missing.json()["count"] == 0, (url, name)
            foreign = out_of_scope.get(model)
            if foreign is not None:
                other = client.get(url, {name: foreign})
                assert (other.status_code, other.json()) == (missing.status_code, missing.json()), (url, name)
            checked.append((url, name))
    # The filters this is about (a route or filter renamed away would make the loop above test nothing).
    names = {f"{url}?{name}" for url, name in checked}
    for expected in ("/api/v1/accounts/?owner", "/api/v1/sites/?owner", "/api/v1/posts/?organisation",
                     "/api/v1/posts/?columns", "/api/v1/columns/?site", "/api/v1/users/?home_organisation",
                     "/api/v1/organisations/?parent", "/api/v1/findings/?inspection", "/api/v1/accounts/?within",
                     "/api/v1/review-tasks/?column", "/api/v1/findings/?organisation", "/api/v1/tokens/?user"):
        assert expected in names, "\n".join(sorted(names))


@pytest.mark.django_db
def test_a_relation_filter_still_filters_and_refuses_what_is_no_id(api, region):
    from tests.factories import AccountFactory

    mine = AccountFactory(owner=region.bureau)
    AccountFactory(owner=region.other_bureau)
    client = api.as_user(region.supervisor)
    body = client.get("/api/v1/accounts/", {"owner": region.bureau.pk}).json()
    assert [row["id"] for row in body["results"]] == [mine.pk]
    for bad in ("abc", "1.5", str(2**64)):
        answer = client.get("/api/v1/accounts/", {"owner": bad})
        assert answer.status_code == 400 and "owner" in answer.json(), bad
