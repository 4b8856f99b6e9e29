"""Issue 14: a list page does not count a province. The API's `count` is exact up to the limit and says
`count_capped` beyond it, while `next` still walks to the last row; a page that is not full counts nothing."""
import pytest
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from govmedia.core.paging import ApiPaginator, BoundedPaginator
from organisations.models import Organisation
from tests.factories import OrganisationFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    """A list found beyond the limit is remembered in the cache (by its statement); a test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sites(region):
    return [SiteFactory(name=f"网站{index:02d}", owner=region.bureau) for index in range(11)]


def walk(client, url):
    pages = []
    while url:
        body = client.get(url).json()
        pages.append(body)
        url = body["next"]
    return pages


def test_below_the_limit_the_count_is_exact(api, region, sites):
    body = api.as_user(region.supervisor).get("/api/v1/sites/?page_size=4").json()
    assert body["count"] == 11 and body["count_capped"] is False
    assert len(body["results"]) == 4 and "page=2" in body["next"]


def test_beyond_the_limit_the_count_stops_and_next_goes_on(api, region, sites, monkeypatch):
    monkeypatch.setattr(ApiPaginator, "limit", 5)
    pages = walk(api.as_user(region.supervisor), "/api/v1/sites/?page_size=4")
    assert [len(p["results"]) for p in pages] == [4, 4, 3]
    assert sorted(s["name"] for p in pages for s in p["results"]) == [f"网站{i:02d}" for i in range(11)]
    assert (pages[0]["count"], pages[0]["count_capped"]) == (5, True)
    # The last page knows the exact count from its own rows.
    assert (pages[-1]["count"], pages[-1]["count_capped"]) == (11, False)
    assert pages[-1]["previous"] is not None


def test_a_page_that_is_not_full_asks_no_count(api, region, sites):
    client = api.as_user(region.supervisor)
    with CaptureQueriesContext(connection) as full:
        client.get("/api/v1/sites/?page_size=4")
    with CaptureQueriesContext(connection) as last:
        client.get("/api/v1/sites/?page_size=4&page=3")
    counts = [q["sql"] for q in full.captured_queries if q["sql"].endswith(") subquery") and "LIMIT 10001" in q["sql"]]
    assert len(counts) == 1, "the first page counts once, bounded"
    assert len(last.captured_queries) == len(full.captured_queries) - 1


def test_a_list_beyond_the_limit_is_not_counted_again_but_an_exact_count_always_is(api, region, sites, monkeypatch):
    monkeypatch.setattr(ApiPaginator, "limit", 5)
    client = api.as_user(region.supervisor)
    url = "/api/v1/sites/?page_size=4&ordering=name"
    with CaptureQueriesContext(connection) as first:
        assert (client.get(url).json()["count_capped"]) is True
    with CaptureQueriesContext(connection) as again:
        body = client.get(url).json()
    assert (body["count"], body["count_capped"]) == (5, True)
    assert len(again.captured_queries) == len(first.captured_queries) - 1, "the list is known to be beyond the limit"

    # Below the limit the count is exact on every read: a new row shows at once.
    for name in ("专项甲", "专项乙", "专项丙"):
        SiteFactory(name=name, owner=region.bureau)
    narrowed = "/api/v1/sites/?page_size=2&name=专项"
    assert client.get(narrowed).json()["count"] == 3
    SiteFactory(name="专项丁", owner=region.bureau)
    assert (client.get(narrowed).json()["count"], client.get(narrowed).json()["count_capped"]) == (4, False)


def test_a_page_past_the_end_or_not_a_number_is_a_404(api, region, sites):
    client = api.as_user(region.supervisor)
    assert client.get("/api/v1/sites/?page_size=4&page=4").status_code == 404
    assert client.get("/api/v1/sites/?page=0").status_code == 404
    assert client.get("/api/v1/sites/?page=abc").status_code == 404


def test_the_html_pager_bounds_its_count(region, monkeypatch):
    for index in range(7):
        OrganisationFactory(name=f"单位{index}", parent=region.county)
    everything = Organisation.objects.order_by("pk")
    monkeypatch.setattr(BoundedPaginator, "limit", 4)
    paginator = BoundedPaginator(everything, 2)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (4, True, 2)
    assert [o.pk for o in paginator.get_page(9)] == [o.pk for o in everything[2:4]]  # the last page offered
    monkeypatch.setattr(BoundedPaginator, "limit", 100)
    exact = BoundedPaginator(everything, 2)
    assert (exact.count, exact.capped) == (everything.count(), False)


def test_the_pager_says_more_than_when_the_count_stops(region, monkeypatch, rf):
    for index in range(7):
        OrganisationFactory(name=f"单位{index}", parent=region.county)
    monkeypatch.setattr(BoundedPaginator, "limit", 4)
    page = BoundedPaginator(Organisation.objects.order_by("pk"), 2).get_page(1)
    html = render_to_string("includes/pager.html", {"page": page, "request": rf.get("/")})
    assert "超过 4 条" in html and "共 4 条" not in html
    monkeypatch.setattr(BoundedPaginator, "limit", 100)
    page = BoundedPaginator(Organisation.objects.order_by("pk"), 2).get_page(1)
    html = render_to_string("includes/pager.html", {"page": page, "request": rf.get("/")})
    assert f"共 {Organisation.objects.count()} 条" in html and "超过" not in html


@pytest.mark.parametrize("page", ["97509925118006041191120896", "999999999999999999"])
def test_a_page_past_any_tables_end_is_a_404_not_a_database_error(api, region, sites, page):
    # Found by the fuzzer on PostgreSQL: the offset overflowed bigint and the list answered 500.
    for url in ("/api/v1/sites/", "/api/v1/filings/", "/api/v1/users/", "/api/v1/review-policies/"):
        response = api.as_user(region.supervisor).get(url, {"page": page, "page_size": 500})
        assert response.status_code == 404, (url, response.content)


def _accounts_in_and_out_of_county_a(region):
    from tests.factories import AccountFactory

    outside = region.other_county_bureau
    inside = [
        AccountFactory(owner=region.bureau),
        AccountFactory(owner=outside, platform="weibo", operator=region.section),  # run for it by a unit in scope
        AccountFactory(owner=outside, platform="douyin", supervisor=region.county),
    ]
    AccountFactory(owner=outside, platform="wechat")
    AccountFactory(owner=outside, platform="kuaishou", operator=region.other_county)
    return inside


def test_a_scope_is_counted_as_its_rows_owner_operator_or_supervisor_in_it(api, region):
    inside = _accounts_in_and_out_of_county_a(region)
    body = api.as_user(region.supervisor).get("/api/v1/accounts/?page_size=2").json()
    assert (body["count"], body["count_capped"]) == (3, False)
    assert len(body["results"]) == 2 and body["next"]
    listed = {row["id"] for page in walk(api.as_user(region.supervisor), "/api/v1/accounts/?page_size=2")
              for row in page["results"]}
    assert listed == {account.pk for account in inside}


@pytest.mark.postgres
def test_on_postgresql_the_count_compares_a_scope_as_one_array_and_the_page_keeps_in(region):
    from accounts.models import Account
    from govmedia.core.paging import bounded_count, count_statement
    from organisations.access import organisation_ids_for

    inside = _accounts_in_and_out_of_county_a(region)
    scoped = Account.objects.for_user(region.supervisor)
    statement, _params = count_statement(scoped)
    assert statement.count("= ANY(ARRAY(SELECT") == 3 and " IN (SELECT" not in statement
    assert " IN (SELECT" in str(scoped.query) and "ANY(ARRAY" not in str(scoped.query)
    # The same rows either way, and the same when the scope is excluded (NOT over the array).
    assert bounded_count(scoped) == (len(inside), False)
    excluded = Account.objects.exclude(owner__in=organisation_ids_for(region.supervisor))
    assert "NOT (" in count_statement(excluded)[0] and "= ANY(ARRAY(SELECT" in count_statement(excluded)[0]
    assert bounded_count(excluded) == (4, False)


@pytest.mark.postgres
def test_only_a_plain_column_compared_with_a_scope_is_counted_as_an_array(region):
    """A compared expression whose own SQL holds an IN (a subquery over a list) is counted as Django spells it."""
    from django.db.models import F, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from accounts.models import Account
    from govmedia.core.paging import bounded_count, count_statement
    from organisations.access import organisation_ids_for

    _accounts_in_and_out_of_county_a(region)
    same_owner = Organisation.objects.filter(pk__in=[region.bureau.pk, region.section.pk], pk=OuterRef("owner"))
    owned = Account.objects.annotate(unit=Coalesce(Subquery(same_owner.values("pk")[:1]), F("owner"))).filter(
        unit__in=organisation_ids_for(region.supervisor))
    statement, _params = count_statement(owned)
    assert "ANY(ARRAY" not in statement
    assert bounded_count(owned) == (1, False)
