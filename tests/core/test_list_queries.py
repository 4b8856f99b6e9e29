"""Issue 14: every big list of the API fetches what it shows in a fixed number of queries. Each endpoint is
read with 2 rows and with 20 rows of rich data (team, menus, columns, co-producers ...): a row that adds a
query makes the second read cost more and fails here."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AccountMenu, Filing, FilingKind
from inspections.models import Finding
from organisations.models import Role
from publishing.models import CoProducer, PostRevision, Publication
from review.models import ReviewRun, ReviewTask
from rules.checklist_data import load_national
from rules.models import ChecklistItem, ChecklistVersion
from rules.packs import load_packs
from tests.accounts.builders import running_account
from tests.factories import (
    MOMENT,
    ColumnFactory,
    FindingFactory,
    InspectionFactory,
    OrganisationFactory,
    PostFactory,
    SiteFactory,
    person,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def checklist(db):
    """The countdown reads the national checklist (a data migration puts it in; --no-migrations does not)."""
    if not ChecklistVersion.objects.filter(organisation__isnull=True).exists():
        load_packs(ChecklistVersion, ChecklistItem, load_national(ChecklistVersion, ChecklistItem))


def populate(region, n: int, tag: str) -> None:
    """n rows of each big list under the bureau, each with what its row shows."""
    inspection = InspectionFactory()
    for index in range(n):
        # A unit per row: an account's name is unique within its owner and platform, and the rows should
        # name different units as a province's lists do.
        unit = OrganisationFactory(name=f"{tag}单位{index}", parent=region.bureau)
        account = running_account(region, name=f"{tag}账号{index}", platform="wechat", owner=unit)
        AccountMenu.objects.create(account=account, name="服务", position=1)
        Filing.objects.create(account=account, kind=FilingKind.CHANGE, event_date=dt.date(2024, 10, 8),
                              created_by=region.member)
        site = SiteFactory(name=f"{tag}网站{index}", owner=unit)
        column = ColumnFactory(site=site, name=f"{tag}栏目{index}", responsible=unit)
        post = PostFactory(organisation=unit, author=region.member, title=f"{tag}稿件{index}")
        post.columns.add(column)
        post.accounts.add(account)
        CoProducer.objects.create(post=post, organisation=region.other_bureau)
        Publication.objects.create(post=post, column=column, published_at=MOMENT, url="https://example.gov.cn/a")
        revision = PostRevision.objects.create(post=post, number=1, title=post.title, created_by=region.member)
        run = ReviewRun.objects.create(post=post, started_by=region.member, stages=[])
        ReviewTask.objects.create(run=run, post=post, position=1, stage="first", role="editor", revision=revision,
                                  due_on=dt.date(2024, 10, 10), decided_by=region.owner if index % 2 else None)
        FindingFactory(subject=account, inspection=inspection)
        person(f"{tag}人员{index}", unit, Role.EDITOR)


ENDPOINTS = ["accounts", "filings", "sites", "columns", "posts", "review-tasks", "findings", "users",
             "memberships", "organisations"]


def queries(client, path) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(f"/api/v1/{path}/?page_size=100")
    assert response.status_code == 200, response.content[:500]
    return len(context.captured_queries)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_list_costs_the_same_for_2_rows_and_20(api, region, endpoint):
    client = api.as_user(region.supervisor)
    populate(region, 2, "甲")
    few = queries(client, endpoint)
    rows_few = client.get(f"/api/v1/{endpoint}/?page_size=100").json()["count"]
    populate(region, 18, "乙")
    many = queries(client, endpoint)
    rows_many = client.get(f"/api/v1/{endpoint}/?page_size=100").json()["count"]
    assert rows_many >= rows_few + 18 or endpoint == "organisations"
    assert many <= few, f"{endpoint}: {few} queries for {rows_few} rows, {many} for {rows_many}"


def test_the_account_list_stays_within_a_dozen_queries(api, region, django_assert_max_num_queries):
    populate(region, 20, "丙")
    client = api.as_user(region.supervisor)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/accounts/?page_size=100")
    rows = response.json()["results"]
    assert len(rows) == 20
    assert all(row["team"] and row["menus"] for row in rows)
    assert Finding.objects.count() == 20
