"""Agreement over generated data (issue 10, item 7): random update histories with a fixed seed, local checklist
versions that tighten and add rules for parts of the tree, and days around 国庆 2026. For every column and
account, `days_left < 0` exactly when the inspection of that day finds it; the dashboard's tiles count what
the lists they open show; a month's report judges a site as the inspection of the month's last day does."""
import datetime as dt
import random
import re
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Account, AccountStatus, Platform
from accounts.services import account_add_update
from inspections.models import UNRESOLVED, Finding
from inspections.services import inspect
from rules.countdown import ACCOUNT_RULES, COLUMN_RULES, accounts_with_countdown, columns_with_countdown
from rules.models import ChecklistItem, ChecklistVersion
from rules.thresholds import national_version
from sites.models import Column, ColumnCategory
from sites.services import column_add_update
from tests.factories import AccountFactory, ColumnFactory, SiteFactory

SH = ZoneInfo("Asia/Shanghai")
SEED = 20261001
# Around 国庆 2026 (10-01..10-08 off; Sunday 09-27 and Saturday 10-10 are make-up workdays), Mondays included
# (the weekly rule judges the week before).
DAYS = [dt.date(2026, 9, 27), dt.date(2026, 9, 28), dt.date(2026, 10, 1), dt.date(2026, 10, 5), dt.date(2026, 10, 8),
        dt.date(2026, 10, 10), dt.date(2026, 10, 12), dt.date(2026, 10, 19)]
CATEGORIES = [ColumnCategory.NEWS, ColumnCategory.NOTICE, ColumnCategory.POLICY, ColumnCategory.MONTHLY,
              ColumnCategory.QUARTERLY, ColumnCategory.OTHER]


def _local_version(organisation, items: dict[str, dict]):
    """A local version for `organisation` on the national one, holding `items` (code → thresholds), enabled."""
    national = national_version(dt.date(2026, 10, 1))
    version = ChecklistVersion.objects.create(year=2026, name=f"{organisation.name}本地指标", base=national,
                                              organisation=organisation, active=True)
    base_items = {i.code: i for i in national.items.all()}
    for code, thresholds in items.items():
        base = base_items[code]
        ChecklistItem.objects.create(version=version, code=code, name=base.name, kind=base.kind, thresholds=thresholds,
                                     points=base.points, enabled=True)
    return version


def _moment(rng, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(7, 22), rng.randint(0, 59)), tzinfo=SH)


def _generate(region):
    rng = random.Random(SEED)
    # 甲县 adopts the weekly (two updates a week) and fortnightly-original rules; its education bureau
    # tightens account staleness to 7 days and news columns to 10; 乙县 keeps the national checklist.
    _local_version(region.county, {"account_weekly": {"updates_per_week": 2}, "account_original": {"days": 14}})
    _local_version(region.bureau, {
        "account_stale": {"days": 7},
        "column_stale": {"periods": {"news": {"days": 10}, "notice": {"months": 6}, "policy": {"months": 6},
                                     "monthly": {"months": 1}, "quarterly": {"months": 3}, "annual": {"months": 12},
                                     "other": {"months": 12}}},
    })
    owners = [region.county, region.bureau, region.other_bureau, region.other_county, region.other_county_bureau]
    history_from, history_to = dt.date(2026, 7, 1), dt.date(2026, 10, 25)
    span = (history_to - history_from).days
    # One live account per unit and platform (the register's own constraint): 35 accounts.
    for n, (owner, platform) in enumerate((o, p) for o in owners for p in Platform.values):
        opened = history_from + dt.timedelta(days=rng.randint(0, 80))
        account = AccountFactory(name=f"账号{n:02d}", owner=owner, platform=platform, opened_on=opened,
                                 status=AccountStatus.RUNNING)
        for _ in range(rng.choice([0, 1, 2, 4, 8, 15])):
            day = history_from + dt.timedelta(days=rng.randint(0, span))
            if day >= opened:
                account_add_update(account=account, published_at=_moment(rng, day), title=f"更新{rng.random()}",
                                   original=rng.random() < 0.4)
    for s, owner in enumerate(owners):
        site = SiteFactory(name=f"网站{s}", owner=owner, status="running", launched_on=dt.date(2026, 1, 5))
        for n in range(8):
            column = ColumnFactory(site=site, name=f"栏目{s}-{n}", category=rng.choice(CATEGORIES),
                                   opened_on=history_from + dt.timedelta(days=rng.randint(-200, 60)))
            for _ in range(rng.choice([0, 0, 1, 3, 6])):  # a third never updated: blank columns, young and old
                day = history_from + dt.timedelta(days=rng.randint(-120, span))
                if day >= column.opened_on:
                    column_add_update(column=column, published_at=_moment(rng, day), title=f"栏目更新{rng.random()}")


def _found(codes, subject_type: str) -> set[int]:
    return set(Finding.objects.filter(rule__in=codes, subject_type=subject_type, status__in=UNRESOLVED)
               .values_list("subject_id", flat=True))


@pytest.mark.django_db
def test_days_left_below_zero_exactly_when_the_inspection_of_the_day_finds_it(region):
    _generate(region)
    checked = {"account": 0, "column": 0}
    for day in DAYS:
        with mock.patch("django.utils.timezone.localdate", return_value=day):
            inspect(as_of=day)
        accounts = accounts_with_countdown(Account.objects.filter(status__in=["running", "closing"]), today=day)
        columns = columns_with_countdown(Column.objects.filter(site__status="running"), today=day)
        broken_accounts = {a.pk for a in accounts if a.days_left < 0}
        broken_columns = {c.pk for c in columns if c.days_left < 0}
        assert broken_accounts == _found(ACCOUNT_RULES, "account"), day
        assert broken_columns == _found(COLUMN_RULES, "column"), day
        checked["account"] += len(broken_accounts)
        checked["column"] += len(broken_columns)
        # Neither side is trivially empty or full: the data must exercise both outcomes.
        assert 0 < len(broken_accounts) < accounts.count(), day
        assert 0 < len(broken_columns) < columns.count(), day
    assert checked["account"] > 20 and checked["column"] > 20


@pytest.mark.django_db
def test_a_local_version_moves_the_countdown_of_its_units_only(region):
    """The 7-day local staleness of the bureau: its account is overdue on the same day the inspection finds it,
    while the same history under the county (national 14 days) still has days left."""
    _local_version(region.bureau, {"account_stale": {"days": 7}})
    strict = AccountFactory(name="教育局账号", owner=region.bureau, opened_on=dt.date(2026, 6, 1))
    loose = AccountFactory(name="县政府账号", owner=region.county, opened_on=dt.date(2026, 6, 1))
    for account in (strict, loose):
        account_add_update(account=account, published_at=dt.datetime(2026, 9, 30, 10, tzinfo=SH), title="节前提示")
    day = dt.date(2026, 10, 8)
    rows = {a.pk: a for a in accounts_with_countdown(Account.objects.all(), today=day)}
    assert (rows[strict.pk].stale_deadline, rows[strict.pk].days_left) == (dt.date(2026, 10, 7), -1)
    assert (rows[loose.pk].stale_deadline, rows[loose.pk].days_left) == (dt.date(2026, 10, 14), 6)
    with mock.patch("django.utils.timezone.localdate", return_value=day):
        inspect(as_of=day)
    assert _found(["account_stale"], "account") == {strict.pk}


TILE = re.compile(r'<a href="([^"]+)" data-tile="([\w-]+)"><strong[^>]*>(\d+)</strong>')


@pytest.mark.django_db
def test_dashboard_tiles_count_what_their_lists_show(client, region, settings):
    settings.SECOND_FACTOR_REQUIRED = False  # the sign-in steps are tested elsewhere; here, the pages
    _generate(region)
    # Findings of several days: some rectified since, some past their due date (overdue), some still open.
    for day in (dt.date(2026, 9, 28), dt.date(2026, 10, 12), dt.date(2026, 10, 19)):
        with mock.patch("django.utils.timezone.localdate", return_value=day):
            inspect(as_of=day)
    Account.objects.filter(pk__in=Account.objects.order_by("pk").values("pk")[:3]).update(status=AccountStatus.APPLYING)
    Account.objects.filter(pk__in=Account.objects.order_by("-pk").values("pk")[:2]).update(status=AccountStatus.CLOSING)
    client.force_login(region.supervisor, backend="django.contrib.auth.backends.ModelBackend")
    today = dt.date(2026, 10, 20)
    with mock.patch("django.utils.timezone.localdate", return_value=today):
        home = client.get("/").content.decode()
        tiles = TILE.findall(home)
        assert {name for _url, name, _n in tiles} >= {"running", "open", "overdue", "accounts-broken", "columns-broken"}
        for url, name, number in tiles:
            listed = client.get(url.replace("&amp;", "&"))
            assert listed.status_code == 200, name
            assert listed.context["page"].paginator.count == int(number), name
    counts = {name: int(n) for _u, name, n in tiles}
    assert counts["running"] == Account.objects.filter(owner__path__startswith=region.county.path,
                                                       status=AccountStatus.RUNNING).count()
    assert counts["overdue"] > 0 and counts["open"] > 0


def _report(region, month: str):
    from reports.figures import build_report
    from reports.periods import parse_month

    today = dt.date(2026, 11, 30)
    return build_report(region.county, parse_month(month, today=today), today=today)


def _inspection_vetoes(day: dt.date) -> dict[tuple[str, int], set[str]]:
    """Veto rules the inspection of `day` found, per (subject type, id); a column's count for its site."""
    found: dict[tuple[str, int], set[str]] = {}
    for f in Finding.objects.filter(found_on=day, severity="veto").values("rule", "subject_type", "subject_id"):
        key = (f["subject_type"], f["subject_id"])
        if f["subject_type"] == "column":
            key = ("site", Column.objects.get(pk=f["subject_id"]).site_id)
        found.setdefault(key, set()).add(f["rule"])
    return found


@pytest.mark.django_db
def test_report_verdicts_equal_the_inspection_of_the_months_last_day(region):
    _generate(region)
    # Before any run, the report judges from the rules alone (no findings of the month to add).
    report = _report(region, "2026-09")
    last_day = dt.date(2026, 9, 30)
    with mock.patch("django.utils.timezone.localdate", return_value=last_day):
        inspect(as_of=last_day, organisation=region.county)
    found = _inspection_vetoes(last_day)
    judged = 0
    for kind, subjects in (("account", report["accounts"]), ("site", report["sites"])):
        for subject in subjects:
            assert {v["rule"] for v in subject["vetoes"]} == found.get((kind, subject["id"]), set()), subject["name"]
            assert (subject["verdict"] == "fail") == bool(found.get((kind, subject["id"])))
            judged += 1
    assert judged > 20
    assert any(s["verdict"] == "fail" for s in report["accounts"]) and any(a["verdict"] == "pass" for a in report["accounts"])


@pytest.mark.django_db
def test_five_young_blank_columns_fail_neither_the_inspection_nor_the_report(region):
    site = SiteFactory(name="新网站", owner=region.county, status="running", launched_on=dt.date(2026, 10, 20))
    for n in range(5):
        ColumnFactory(site=site, name=f"新栏目{n}", category=ColumnCategory.NEWS, opened_on=dt.date(2026, 10, 20))
    report = _report(region, "2026-10")
    row = next(s for s in report["sites"] if s["id"] == site.pk)
    assert row["figures"]["blank_columns"] == 5
    assert row["verdict"] == "pass" and not row["deductions"]
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 10, 31)):
        inspect(as_of=dt.date(2026, 10, 31))
    assert not Finding.objects.filter(rule__in=["site_columns_veto", "column_blank"]).exists()
    # Two weeks and a day after opening, a news column still blank is 空白栏目, and five of them veto the site.
    report = _report(region, "2026-11")
    row = next(s for s in report["sites"] if s["id"] == site.pk)
    assert row["verdict"] == "fail" and "site_columns_veto" in [v["rule"] for v in row["vetoes"]]
