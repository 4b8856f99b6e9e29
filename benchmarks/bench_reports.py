"""Reports: a month's region report over a province-sized region, beside the plain SQL that returns its figures.

Sizes from BENCH_REPORT_* variables (defaults: a fifth of a province, 20,000 accounts, 40,000 columns, ~1M account
updates spread over five months so that the history is longer than the month):

    BENCH_REPORT_UNITS=2000 BENCH_REPORT_ACCOUNTS_PER_UNIT=10 BENCH_REPORT_COLUMNS_PER_SITE=20 \\
    BENCH_REPORT_UPDATES_PER_ACCOUNT=50 python -m benchmarks bench_reports

Prints `name value` lines:
- reports.monthly_region_report_first_s — build_report for October 2024 (with the comparison to September);
- reports.monthly_region_report_floor_s — the plain SQL below, for both months, in the same run;
- reports.monthly_region_report_verdicts_s — the rules' verdicts of both months (inspections.checks), part of the
  build and not of the floor;
- reports.monthly_region_report_peak_mb — Python's peak allocation while building and writing the xlsx;
- reports.monthly_region_report_with_issued_previous_s — the same build once last month is issued (as on the 1st of
  each month: the comparison reads the stored September instead of building it);
- reports.monthly_xlsx_s, reports.monthly_pdf_s — the two documents from the built report.
"""
import datetime as dt
import os
import random
import time
import tracemalloc

from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

ROOT = "基准测试省（报告，{units}×{per_unit}）"  # one province per size: sizes can share a database
# The updates run from 1 June to 31 October 2024: the month reported is a fifth of the history.
HISTORY_FROM = dt.datetime(2024, 6, 1)
HISTORY_DAYS = 153
MONTH = "2024-10"


def _size(name, default):
    return int(os.environ.get(f"BENCH_REPORT_{name}", default))


def seed(units: int, accounts_per_unit: int, columns_per_site: int, updates_per_account: int):
    """A province of `units` units, each with a site (launched, so it is counted) and some accounts."""
    from accounts.models import Account, AccountUpdate
    from organisations.models import Organisation, OrganisationKind
    from sites.models import Column, ColumnUpdate, Probe, Site

    name = ROOT.format(units=units, per_unit=accounts_per_unit)
    root = Organisation.objects.filter(name=name, parent=None).first()
    if root is not None:
        return root  # seeded by an earlier run (the seed is one transaction-free pass: drop the database to redo)
    root = Organisation.objects.create(name=name, kind=OrganisationKind.GOVERNMENT)
    rng = random.Random(20241001)
    orgs = []
    for i in range(units):
        orgs.append(Organisation.objects.create(name=f"单位{i:05d}", parent=root, kind=OrganisationKind.DEPARTMENT))
    platforms = ["wechat", "weibo", "douyin", "kuaishou", "toutiao", "app", "other"]
    opened = dt.date(2023, 1, 1)
    accounts = Account.objects.bulk_create([
        Account(name=f"账号{o.pk}-{j}", platform=platforms[j % len(platforms)], owner=o, status="running",
                opened_on=opened, exemption_reason="基准测试" if j >= len(platforms) else "")
        for o in orgs for j in range(accounts_per_unit)
    ], batch_size=2000)
    sites = Site.objects.bulk_create([
        Site(name=f"网站{o.pk}", url=f"http://s{o.pk}.example.gov.cn/", owner=o, launched_on=opened) for o in orgs
    ])
    categories = ["news", "notice", "policy", "monthly", "quarterly", "annual", "other"]
    Column.objects.bulk_create([
        Column(site=s, name=f"栏目{k}", category=categories[k % len(categories)], opened_on=opened)
        for s in sites for k in range(columns_per_site)
    ], batch_size=5000)
    start = timezone.make_aware(HISTORY_FROM)
    span = HISTORY_DAYS * 24 * 3600
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
        for c in column_ids for _ in range(3)
    ], batch_size=10000)
    Probe.objects.bulk_create([
        Probe(site=s, checked_at=timezone.make_aware(dt.datetime(2024, 9, 1)) + dt.timedelta(hours=h), ok=rng.random() > 0.02)
        for s in sites for h in range(0, 61 * 24, 6)
    ], batch_size=10000)
    return root


# The floor: the report's figures for one month in plain SQL (PostgreSQL), one statement per table, every
# aggregate bounded by the month. The verdicts are the rules' own (rules/, inspections.checks) and are not
# re-implemented here; what is measured is the cost of reading the month's figures the report is made of.
FLOOR_SQL = {
    # Per account: the month's updates and originals, the last update and the last original before the month.
    "accounts": """
        SELECT a.id, a.name, o.name, month.updates, month.originals, before.published_at, before_original.published_at
        FROM accounts_account a
        JOIN organisations_organisation o ON o.id = a.owner_id
        LEFT JOIN (
            SELECT account_id, count(*) AS updates, count(*) FILTER (WHERE original) AS originals
            FROM accounts_accountupdate
            WHERE published_at >= %(start)s AND published_at < %(end)s
            GROUP BY account_id
        ) month ON month.account_id = a.id
        LEFT JOIN LATERAL (
            SELECT published_at FROM accounts_accountupdate u
            WHERE u.account_id = a.id AND u.published_at < %(start)s ORDER BY u.published_at DESC LIMIT 1
        ) before ON true
        LEFT JOIN LATERAL (
            SELECT published_at FROM accounts_accountupdate u
            WHERE u.account_id = a.id AND u.published_at < %(start)s AND u.original ORDER BY u.published_at DESC LIMIT 1
        ) before_original ON true
        WHERE o.path LIKE %(path)s AND a.status IN ('applying', 'running', 'closing')
        ORDER BY o.path, a.platform, a.name, a.id
    """,
    # Per account: the distinct local days with an update, and with an original, from the Monday before.
    "account_days": """
        SELECT u.account_id,
               array_agg(DISTINCT (u.published_at AT TIME ZONE 'Asia/Shanghai')::date),
               array_agg(DISTINCT (u.published_at AT TIME ZONE 'Asia/Shanghai')::date) FILTER (WHERE u.original)
        FROM accounts_accountupdate u
        JOIN accounts_account a ON a.id = u.account_id
        JOIN organisations_organisation o ON o.id = a.owner_id
        WHERE o.path LIKE %(path)s AND u.published_at >= %(week_from)s AND u.published_at < %(end)s
        GROUP BY u.account_id
    """,
    # Per site: the month's probes and failures, and the month's column updates.
    "sites": """
        SELECT s.id, s.name, o.name,
               (SELECT count(*) FROM sites_probe p WHERE p.site_id = s.id
                  AND p.checked_at >= %(start)s AND p.checked_at < %(end)s),
               (SELECT count(*) FROM sites_probe p WHERE p.site_id = s.id AND NOT p.ok
                  AND p.checked_at >= %(start)s AND p.checked_at < %(end)s),
               (SELECT count(*) FROM sites_columnupdate cu JOIN sites_column c ON c.id = cu.column_id
                 WHERE c.site_id = s.id AND cu.published_at >= %(start)s AND cu.published_at < %(end)s)
        FROM sites_site s JOIN organisations_organisation o ON o.id = s.owner_id
        WHERE o.path LIKE %(path)s AND s.status = 'running'
        ORDER BY o.path, s.name, s.id
    """,
    # Per column: its newest update by the month's end (stale and blank columns are judged from it).
    "columns": """
        SELECT c.site_id, c.category, newest.published_at
        FROM sites_column c
        JOIN sites_site s ON s.id = c.site_id
        JOIN organisations_organisation o ON o.id = s.owner_id
        LEFT JOIN LATERAL (
            SELECT published_at FROM sites_columnupdate cu
            WHERE cu.column_id = c.id AND cu.published_at < %(end)s ORDER BY cu.published_at DESC LIMIT 1
        ) newest ON true
        WHERE o.path LIKE %(path)s
    """,
    # The findings unresolved at some time in the month.
    "findings": """
        SELECT f.id, f.rule, f.subject_type, f.subject_id, f.found_on, f.due_on, f.rectified_on
        FROM inspections_finding f JOIN organisations_organisation o ON o.id = f.organisation_id
        WHERE o.path LIKE %(path)s AND f.found_on <= %(last_day)s
          AND (f.rectified_on IS NULL OR f.rectified_on >= %(first_day)s)
    """,
}


def floor(root, period) -> int:
    """Run the floor for the month and the month before (the report compares them); returns the rows read."""
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # as the report's own build does (reports.figures)
        for month in (period, period.previous()):
            params = {
                "path": root.path + "%", "start": month.start_at, "end": month.end_at,
                "week_from": timezone.make_aware(dt.datetime.combine(month.start - dt.timedelta(days=6), dt.time.min)),
                "first_day": month.start, "last_day": month.end,
            }
            for sql in FLOOR_SQL.values():
                cursor.execute(sql, params)
                rows += len(cursor.fetchall())
    return rows


def main():
    from reports import documents
    from reports.figures import ReportBuilder, build_report, without_jit
    from reports.models import ReportRevision
    from reports.periods import parse_month
    from reports.revisions import issue_revision

    call_command("migrate", verbosity=0)
    units, per_unit = _size("UNITS", 2000), _size("ACCOUNTS_PER_UNIT", 10)
    columns, updates = _size("COLUMNS_PER_SITE", 20), _size("UPDATES_PER_ACCOUNT", 50)
    t0 = time.perf_counter()
    root = seed(units, per_unit, columns, updates)
    print(f"reports.seed_s {time.perf_counter() - t0:.1f} (units {units}, accounts {units * per_unit}, "
          f"columns {units * columns}, account updates {units * per_unit * updates}, {connection.vendor})", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics after the seed, for the report and the floor alike
    period = parse_month(MONTH)
    # The first report of the region: nothing issued yet (an earlier run's revisions removed).
    ReportRevision.objects.filter(organisation=root).delete()

    with CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        report = build_report(root, period)
        elapsed = time.perf_counter() - t0
    print(f"reports.monthly_region_report_first_s {elapsed:.2f} (queries {len(queries)}, "
          f"sites {report['totals']['sites']}, accounts {report['totals']['accounts']})", flush=True)
    if connection.vendor == "postgresql":
        t0 = time.perf_counter()
        rows = floor(root, period)
        print(f"reports.monthly_region_report_floor_s {time.perf_counter() - t0:.2f} (rows {rows})", flush=True)
    # The rules' share of the build (the verdicts of both months from inspections.checks), which the floor
    # leaves out: the report does not re-implement a rule, and neither does its floor.
    t0 = time.perf_counter()
    with without_jit():
        for month in (period, period.previous()):
            ReportBuilder(root, month).verdicts()
    print(f"reports.monthly_region_report_verdicts_s {time.perf_counter() - t0:.2f}", flush=True)

    # As it runs on the 1st of each month: last month is issued (stored), so the comparison reads it instead of
    # building it again (reports.figures.ReportBuilder._issued_previous).
    issue_revision(root, period.previous(), reason="基准测试")
    t0 = time.perf_counter()
    build_report(root, period)
    print(f"reports.monthly_region_report_with_issued_previous_s {time.perf_counter() - t0:.2f}", flush=True)

    t0 = time.perf_counter()
    xlsx = documents.render_xlsx(report)
    print(f"reports.monthly_xlsx_s {time.perf_counter() - t0:.2f} ({len(xlsx) // 1024} KiB)", flush=True)
    t0 = time.perf_counter()
    pdf = documents.render_pdf(report)
    print(f"reports.monthly_pdf_s {time.perf_counter() - t0:.2f} ({len(pdf) // 1024} KiB)", flush=True)
    del report, xlsx, pdf

    # Peak memory of a second build and its xlsx (traced separately: tracing slows Python down).
    tracemalloc.start()
    report = build_report(root, period)
    documents.render_xlsx(report)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"reports.monthly_region_report_peak_mb {peak / 1024 / 1024:.0f}", flush=True)
