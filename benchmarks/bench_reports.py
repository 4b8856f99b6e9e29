"""Reports: a month's compliance report over a province-sized region (sizes from BENCH_REPORT_* variables)."""
import datetime as dt
import os
import random
import time

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

ROOT = "基准测试省（报告）"


def _size(name, default):
    return int(os.environ.get(f"BENCH_REPORT_{name}", default))


def seed(units: int, accounts_per_unit: int, columns_per_site: int, updates_per_account: int):
    """A province of `units` units, each with a site and some accounts, and October 2024's updates."""
    from accounts.models import Account, AccountUpdate
    from organisations.models import Organisation, OrganisationKind
    from sites.models import Column, ColumnUpdate, Probe, Site

    root = Organisation.objects.filter(name=ROOT, parent=None).first()
    if root is not None and Account.objects.filter(owner__path__startswith=root.path).count() == units * accounts_per_unit:
        return root
    if root is None:
        root = Organisation.objects.create(name=ROOT, kind=OrganisationKind.GOVERNMENT)
    rng = random.Random(20241001)
    orgs = []
    for i in range(units):
        org, _ = Organisation.objects.get_or_create(name=f"单位{i:05d}", parent=root, defaults={"kind": OrganisationKind.DEPARTMENT})
        orgs.append(org)
    platforms = ["wechat", "weibo", "douyin", "kuaishou", "toutiao", "app", "other"]
    accounts = Account.objects.bulk_create([
        Account(name=f"账号{o.pk}-{j}", platform=platforms[j % len(platforms)], owner=o, status="running",
                opened_on=dt.date(2023, 1, 1), exemption_reason="基准测试" if j >= len(platforms) else "")
        for o in orgs for j in range(accounts_per_unit)
    ], batch_size=2000)
    sites = Site.objects.bulk_create([Site(name=f"网站{o.pk}", url=f"http://s{o.pk}.example.gov.cn/", owner=o) for o in orgs])
    categories = ["news", "notice", "policy", "monthly", "quarterly", "annual", "other"]
    Column.objects.bulk_create([
        Column(site=s, name=f"栏目{k}", category=categories[k % len(categories)], opened_on=dt.date(2023, 1, 1))
        for s in sites for k in range(columns_per_site)
    ], batch_size=5000)
    start = timezone.make_aware(dt.datetime(2024, 9, 1))
    span = 61 * 24 * 3600
    batch = []
    for a in accounts:
        for _ in range(updates_per_account):
            batch.append(AccountUpdate(account=a, published_at=start + dt.timedelta(seconds=rng.randrange(span)),
                                       title="更新", original=rng.random() < 0.6))
            if len(batch) >= 10000:
                AccountUpdate.objects.bulk_create(batch)
                batch = []
    AccountUpdate.objects.bulk_create(batch)
    column_ids = list(Column.objects.filter(site__in=sites).values_list("pk", flat=True))
    ColumnUpdate.objects.bulk_create([
        ColumnUpdate(column_id=c, published_at=start + dt.timedelta(seconds=rng.randrange(span)), title="栏目更新")
        for c in column_ids for _ in range(2)
    ], batch_size=10000)
    Probe.objects.bulk_create([
        Probe(site=s, checked_at=timezone.make_aware(dt.datetime(2024, 10, 1)) + dt.timedelta(hours=h), ok=rng.random() > 0.02)
        for s in sites for h in range(0, 31 * 24, 6)
    ], batch_size=10000)
    return root


def main():
    from reports import documents
    from reports.figures import build_report
    from reports.periods import parse_month

    call_command("migrate", verbosity=0)
    units, per_unit = _size("UNITS", 400), _size("ACCOUNTS_PER_UNIT", 10)
    columns, updates = _size("COLUMNS_PER_SITE", 50), _size("UPDATES_PER_ACCOUNT", 25)
    t0 = time.perf_counter()
    root = seed(units, per_unit, columns, updates)
    print(f"reports.seed_s {time.perf_counter() - t0:.1f} (units {units}, accounts {units * per_unit}, "
          f"columns {units * columns}, account updates {units * per_unit * updates}, {connection.vendor})")
    period = parse_month("2024-10")
    for run in ("first", "again"):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            report = build_report(root, period)
            elapsed = time.perf_counter() - t0
        print(f"reports.monthly_region_report_{run}_s {elapsed:.2f} (queries {len(queries)}, "
              f"sites {report['totals']['sites']}, accounts {report['totals']['accounts']})")
    t0 = time.perf_counter()
    xlsx = documents.render_xlsx(report)
    print(f"reports.monthly_xlsx_s {time.perf_counter() - t0:.2f} ({len(xlsx) // 1024} KiB)")
    t0 = time.perf_counter()
    pdf = documents.render_pdf(report)
    print(f"reports.monthly_pdf_s {time.perf_counter() - t0:.2f} ({len(pdf) // 1024} KiB)")
