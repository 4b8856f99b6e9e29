"""Reports: a month's region report over a province-sized region, beside the plain SQL that returns its figures.

Sizes from BENCH_REPORT_* variables (defaults: a fifth of a province, 20,000 accounts, 40,000 columns, ~1M account
updates spread over five months so that the history is longer than the month):

    BENCH_REPORT_UNITS=2000 BENCH_REPORT_ACCOUNTS_PER_UNIT=10 BENCH_REPORT_COLUMNS_PER_SITE=20 \\
    BENCH_REPORT_UPDATES_PER_ACCOUNT=50 python -m benchmarks bench_reports

The province is seeded once per size and reused: on PostgreSQL with set-based SQL (INSERT … SELECT over
generate_series, one statement per table: about 3 minutes at full province size, 100,000 accounts and 5 million
updates), elsewhere through the ORM (small sizes only).

Prints `name value` lines:
- reports.monthly_region_report_first_s — build_report for October 2024 (with the comparison to September);
- reports.monthly_region_report_floor_s — the plain SQL below (figures and verdicts), for both months, in the same
  run (BENCH_REPORT_REPEAT turns of build and floor, default 3: the fastest of each), and their ratio;
- reports.monthly_region_report_verdicts_s — the rules' verdicts of both months (inspections.checks), the part of
  the build the floor answers with floor_verdict_sql;
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
    """A province of `units` units, each with a site (launched, so it is counted), its columns and some accounts;
    the accounts' updates and the columns' over five months, a month of probes, the denormalised last-update
    dates the app keeps, and findings on some accounts and columns (the national checklist of the migrations is
    in force). Seeded once per size and reused: set-based SQL on PostgreSQL (minutes at a province's size), the
    ORM elsewhere; both in one transaction, so a stopped seed leaves nothing behind."""
    from organisations.models import Organisation

    name = ROOT.format(units=units, per_unit=accounts_per_unit)
    root = Organisation.objects.filter(name=name, parent=None).first()
    if root is not None:
        return root  # seeded by an earlier run
    with transaction.atomic():
        if connection.vendor == "postgresql":
            root = _seed_postgres(name, units, accounts_per_unit, columns_per_site, updates_per_account)
        else:
            root = _seed_orm(name, units, accounts_per_unit, columns_per_site, updates_per_account)
        _denormalise(root)
        _findings(root)
    return root


PLATFORMS = ["wechat", "weibo", "douyin", "kuaishou", "toutiao", "app", "other"]
CATEGORIES = ["news", "notice", "policy", "monthly", "quarterly", "annual", "other"]
OPENED = dt.date(2023, 1, 1)
PROBES_FROM = dt.datetime(2024, 9, 1)  # every 6 hours for 61 days: September and October
PROBE_DAYS = 61


def _insert_select(cursor, model, values: dict[str, str], source: str, params=()):
    """INSERT INTO model's table (values' columns) SELECT values FROM source: every other NOT NULL column gets
    the model field's default (as the ORM would), `created_at` now()."""
    from django.db import models

    columns, exprs, defaults = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in values:
            exprs.append(values[field.column])
        elif isinstance(field, models.DateTimeField) and field.auto_now_add:
            exprs.append("now()")
        elif field.null:
            exprs.append("NULL")
        else:
            exprs.append("%s")
            defaults.append(field.get_db_prep_save(field.get_default(), connection))
    cursor.execute(
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {source}",
        [*defaults, *params],
    )


def _seed_postgres(name, units, accounts_per_unit, columns_per_site, updates_per_account):
    """The ORM seed's shapes in one INSERT … SELECT per table (generate_series; random() after a fixed seed)."""
    from accounts.models import Account, AccountUpdate
    from organisations.models import Organisation, OrganisationKind
    from sites.models import Column, ColumnUpdate, Probe, Site

    root = Organisation.objects.create(name=name, kind=OrganisationKind.GOVERNMENT)
    under = "o.parent_id = %s"
    platforms = "(ARRAY[" + ", ".join(f"'{p}'" for p in PLATFORMS) + "])"
    categories = "(ARRAY[" + ", ".join(f"'{c}'" for c in CATEGORIES) + "])"
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.20241001)")
        _insert_select(cursor, Organisation, {
            "name": "'单位' || lpad(i::text, 5, '0')", "parent_id": str(root.pk), "kind": f"'{OrganisationKind.DEPARTMENT}'",
            "path": "''",
        }, "generate_series(0, %s - 1) i ORDER BY i", [units])
        cursor.execute("UPDATE organisations_organisation SET path = %s || id || '/' WHERE parent_id = %s",
                       [root.path, root.pk])
        _insert_select(cursor, Account, {
            "name": "'账号' || o.id || '-' || j", "platform": f"{platforms}[j %% 7 + 1]", "owner_id": "o.id",
            "status": "'running'", "opened_on": f"'{OPENED}'::date",
            "exemption_reason": "CASE WHEN j >= 7 THEN '基准测试' ELSE '' END",
        }, f"organisations_organisation o, generate_series(0, %s - 1) j WHERE {under} ORDER BY o.id, j",
            [accounts_per_unit, root.pk])
        _insert_select(cursor, Site, {
            "name": "'网站' || o.id", "url": "'http://s' || o.id || '.example.gov.cn/'", "owner_id": "o.id",
            "launched_on": f"'{OPENED}'::date",
        }, f"organisations_organisation o WHERE {under} ORDER BY o.id", [root.pk])
        _insert_select(cursor, Column, {
            "site_id": "s.id", "name": "'栏目' || k", "category": f"{categories}[k %% 7 + 1]",
            "opened_on": f"'{OPENED}'::date",
        }, f"sites_site s JOIN organisations_organisation o ON o.id = s.owner_id, generate_series(0, %s - 1) k "
           f"WHERE {under} ORDER BY s.id, k", [columns_per_site, root.pk])
        history_from = f"('{HISTORY_FROM.isoformat(sep=' ')}'::timestamp AT TIME ZONE 'Asia/Shanghai')"
        span = HISTORY_DAYS * 24 * 3600
        _insert_select(cursor, AccountUpdate, {
            "account_id": "a.id", "published_at": f"{history_from} + floor(random() * {span}) * interval '1 second'",
            "title": "'更新'", "original": "random() < 0.6",
        }, f"accounts_account a JOIN organisations_organisation o ON o.id = a.owner_id, generate_series(1, %s) g "
           f"WHERE {under}", [updates_per_account, root.pk])
        _insert_select(cursor, ColumnUpdate, {
            "column_id": "c.id", "published_at": f"{history_from} + floor(random() * {span}) * interval '1 second'",
            "title": "'栏目更新'",
        }, f"sites_column c JOIN sites_site s ON s.id = c.site_id JOIN organisations_organisation o ON o.id = s.owner_id, "
           f"generate_series(1, 3) g WHERE {under}", [root.pk])
        probes_from = f"('{PROBES_FROM.isoformat(sep=' ')}'::timestamp AT TIME ZONE 'Asia/Shanghai')"
        _insert_select(cursor, Probe, {
            "site_id": "s.id", "checked_at": f"{probes_from} + h * interval '6 hours'", "ok": "random() > 0.02",
        }, f"sites_site s JOIN organisations_organisation o ON o.id = s.owner_id, generate_series(0, %s - 1) h "
           f"WHERE {under}", [PROBE_DAYS * 4, root.pk])
    root.refresh_from_db()
    return root


def _seed_orm(name, units, accounts_per_unit, columns_per_site, updates_per_account):
    """The same province through the ORM (SQLite: small sizes only)."""
    from accounts.models import Account, AccountUpdate
    from organisations.models import Organisation, OrganisationKind
    from sites.models import Column, ColumnUpdate, Probe, Site

    root = Organisation.objects.create(name=name, kind=OrganisationKind.GOVERNMENT)
    rng = random.Random(20241001)
    orgs = [Organisation.objects.create(name=f"单位{i:05d}", parent=root, kind=OrganisationKind.DEPARTMENT)
            for i in range(units)]
    accounts = Account.objects.bulk_create([
        Account(name=f"账号{o.pk}-{j}", platform=PLATFORMS[j % len(PLATFORMS)], owner=o, status="running",
                opened_on=OPENED, exemption_reason="基准测试" if j >= len(PLATFORMS) else "")
        for o in orgs for j in range(accounts_per_unit)
    ], batch_size=2000)
    sites = Site.objects.bulk_create([
        Site(name=f"网站{o.pk}", url=f"http://s{o.pk}.example.gov.cn/", owner=o, launched_on=OPENED) for o in orgs
    ])
    Column.objects.bulk_create([
        Column(site=s, name=f"栏目{k}", category=CATEGORIES[k % len(CATEGORIES)], opened_on=OPENED)
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
    probes_from = timezone.make_aware(PROBES_FROM)
    Probe.objects.bulk_create([
        Probe(site=s, checked_at=probes_from + dt.timedelta(hours=h), ok=rng.random() > 0.02)
        for s in sites for h in range(0, PROBE_DAYS * 24, 6)
    ], batch_size=10000)
    return root


def _denormalise(root):
    """The last-update dates the app keeps on accounts and columns (accounts.services, sites.services), from
    the seeded updates: one UPDATE per field."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import TruncDate

    from accounts.models import Account, AccountUpdate
    from rules.dates import SHANGHAI
    from sites.models import Column, ColumnUpdate

    def newest(model, fk, **extra):
        return Subquery(model.objects.filter(**{fk: OuterRef("pk")}, **extra).order_by("-published_at")
                        .annotate(day=TruncDate("published_at", tzinfo=SHANGHAI)).values("day")[:1])

    Account.objects.filter(owner__path__startswith=root.path).update(
        last_updated_on=newest(AccountUpdate, "account"),
        last_original_on=newest(AccountUpdate, "account", original=True),
    )
    Column.objects.filter(site__owner__path__startswith=root.path).update(last_updated_on=newest(ColumnUpdate, "column"))


def _findings(root):
    """Findings as the inspections of the five months left them: on every second account and every seventh
    column, found on a day spread over June–October, due 15 days later; half of them rectified 10 days after
    being found (a province's ~80,000 unresolved and rectified findings at full size)."""
    from accounts.models import Account
    from inspections.models import Finding, FindingStatus
    from rules import definitions
    from sites.models import Column

    account_rules = ["account_stale", "account_weekly", "account_original", "account_no_interaction"]
    first, spread = dt.date(2024, 6, 1), 150
    today = dt.date(2024, 11, 1)

    def finding(rule, subject_type, pk, subject_name, organisation_id):
        found = first + dt.timedelta(days=pk * 37 % spread)
        rectified = found + dt.timedelta(days=10) if pk % 4 < 2 else None
        due = found + dt.timedelta(days=15)
        status = FindingStatus.RECTIFIED if rectified else FindingStatus.OVERDUE if due < today else FindingStatus.OPEN
        return Finding(rule=rule, severity=definitions.severity(rule), subject_type=subject_type, subject_id=pk,
                       subject_name=subject_name, organisation_id=organisation_id, found_on=found, due_on=due,
                       rectified_on=rectified, status=status, period_key=f"since:{found.isoformat()}")

    batch = []
    accounts = (Account.objects.filter(owner__path__startswith=root.path)
                .values_list("pk", "name", "owner_id").order_by("pk"))
    for pk, name, owner in accounts.iterator(chunk_size=10000):
        if pk % 2 == 0:
            batch.append(finding(account_rules[pk // 2 % len(account_rules)], "account", pk, name, owner))
    columns = (Column.objects.filter(site__owner__path__startswith=root.path)
               .values_list("pk", "name", "site__owner_id").order_by("pk"))
    for pk, name, owner in columns.iterator(chunk_size=10000):
        if pk % 7 == 0:
            batch.append(finding("column_stale", "column", pk, name, owner))
    Finding.objects.bulk_create(batch, batch_size=5000)


# The floor: the report's answer for one month in plain SQL (PostgreSQL), one statement per table, every
# aggregate bounded by the month: the figures (FLOOR_SQL) and the verdicts of the rules the checklist in force
# enables (floor_verdict_sql: what inspections.checks finds as of the month's last day, checked subject for subject
# against the report's own before any figure is printed). The month before is built for the comparison only
# (its totals, scores and verdicts), so its floor is FLOOR_COMPARISON_SQL and its verdicts.
FLOOR_SQL = {
    # Per account: the last update and the last original before the month (the month's counts come with the
    # days below, in one pass, as the report takes them).
    "accounts": """
        SELECT a.id, a.name, o.name, before.published_at, before_original.published_at
        FROM accounts_account a
        JOIN organisations_organisation o ON o.id = a.owner_id
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
    # Per account: the distinct local days with an update, and with an original, from the Monday before, and the
    # month's updates and originals, in one grouped pass.
    "account_days": """
        SELECT u.account_id,
               array_agg(DISTINCT (u.published_at AT TIME ZONE 'Asia/Shanghai')::date),
               array_agg(DISTINCT (u.published_at AT TIME ZONE 'Asia/Shanghai')::date) FILTER (WHERE u.original),
               count(*) FILTER (WHERE u.published_at >= %(start)s),
               count(*) FILTER (WHERE u.published_at >= %(start)s AND u.original)
        FROM accounts_accountupdate u
        JOIN accounts_account a ON a.id = u.account_id
        JOIN organisations_organisation o ON o.id = a.owner_id
        WHERE o.path LIKE %(path)s AND u.published_at >= %(week_from)s AND u.published_at < %(end)s
        GROUP BY u.account_id
    """,
    # Per site: the month's probes and failures, and the month's column updates (grouped passes over the month).
    "sites": """
        SELECT s.id, s.name, o.name, probes.total, probes.failed, updates.n
        FROM sites_site s JOIN organisations_organisation o ON o.id = s.owner_id
        LEFT JOIN (
            SELECT p.site_id, count(*) AS total, count(*) FILTER (WHERE NOT p.ok) AS failed FROM sites_probe p
            WHERE p.checked_at >= %(start)s AND p.checked_at < %(end)s GROUP BY p.site_id
        ) probes ON probes.site_id = s.id
        LEFT JOIN (
            SELECT c.site_id, count(*) AS n FROM sites_columnupdate cu JOIN sites_column c ON c.id = cu.column_id
            WHERE cu.published_at >= %(start)s AND cu.published_at < %(end)s GROUP BY c.site_id
        ) updates ON updates.site_id = s.id
        WHERE o.path LIKE %(path)s AND s.status = 'running'
        ORDER BY o.path, s.name, s.id
    """,
    # Per column: its newest update by the month's end (stale and blank columns are judged from it): the
    # denormalised last-update date when it is not later, else the newest update before the month's end.
    "columns": """
        SELECT c.site_id, c.category,
               CASE WHEN c.last_updated_on <= %(last_day)s THEN c.last_updated_on
                    ELSE (SELECT (cu.published_at AT TIME ZONE 'Asia/Shanghai')::date FROM sites_columnupdate cu
                          WHERE cu.column_id = c.id AND cu.published_at < %(end)s
                          ORDER BY cu.published_at DESC LIMIT 1) END
        FROM sites_column c
        JOIN sites_site s ON s.id = c.site_id
        JOIN organisations_organisation o ON o.id = s.owner_id
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


FLOOR_COMPARISON_SQL = {
    # Per account: the month's updates and originals.
    "accounts": """
        SELECT a.id, o.name, month.updates, month.originals
        FROM accounts_account a
        JOIN organisations_organisation o ON o.id = a.owner_id
        LEFT JOIN (
            SELECT account_id, count(*) AS updates, count(*) FILTER (WHERE original) AS originals
            FROM accounts_accountupdate
            WHERE published_at >= %(start)s AND published_at < %(end)s
            GROUP BY account_id
        ) month ON month.account_id = a.id
        WHERE o.path LIKE %(path)s AND a.status IN ('applying', 'running', 'closing')
    """,
    # Per site: the month's column updates.
    "sites": """
        SELECT s.id, o.name, updates.n
        FROM sites_site s JOIN organisations_organisation o ON o.id = s.owner_id
        LEFT JOIN (
            SELECT c.site_id, count(*) AS n FROM sites_columnupdate cu JOIN sites_column c ON c.id = cu.column_id
            WHERE cu.published_at >= %(start)s AND cu.published_at < %(end)s GROUP BY c.site_id
        ) updates ON updates.site_id = s.id
        WHERE o.path LIKE %(path)s AND s.status = 'running'
    """,
    "findings": FLOOR_SQL["findings"],
}

LOCAL_DAY = "(({}) AT TIME ZONE 'Asia/Shanghai')::date"


def _shift_sql(expression: str, period: dict) -> str:
    """A rule period added to a date (months clamped at the month's end, as rules.countdown does)."""
    if "months" in period:
        return f"(({expression}) + interval '{int(period['months'])} months')::date"
    return f"(({expression}) + {int(period['days'])})"


def floor_verdict_sql(items: dict) -> dict[str, str]:
    """The verdicts' plain SQL for the checklist items in force (`items`: code -> thresholds, enabled ones only):
    one statement for the accounts, one for the sites with their columns. The thresholds are written into the
    statement, as a hand-written query would have them."""
    unsupported = set(items) - {"account_stale", "account_no_interaction", "site_unreachable", "homepage_stale",
                                "site_columns_veto", "site_interaction_veto", "column_stale", "column_blank"}
    if unsupported:
        raise SystemExit(f"the floor has no plain SQL for {sorted(unsupported)}: the bench's checklist enables them")
    stale_days = int(items["account_stale"]["days"]) if "account_stale" in items else None
    accounts = f"""
        SELECT id, judged_from, judged_from + {stale_days or 0} < %(last_day)s AND {stale_days is not None},
               NOT has_interaction AND {"account_no_interaction" in items}
        FROM (
            SELECT a.id, a.has_interaction,
                   coalesce(CASE WHEN a.last_updated_on <= %(last_day)s THEN a.last_updated_on
                                 ELSE (SELECT {LOCAL_DAY.format("u.published_at")} FROM accounts_accountupdate u
                                       WHERE u.account_id = a.id AND u.published_at < %(end)s
                                       ORDER BY u.published_at DESC LIMIT 1) END,
                            a.opened_on, {LOCAL_DAY.format("a.created_at")}) AS judged_from
            FROM accounts_account a JOIN organisations_organisation o ON o.id = a.owner_id
            WHERE o.path LIKE %(path)s AND NOT coalesce(a.opened_on > %(last_day)s, false)
              AND CASE WHEN EXISTS (SELECT 1 FROM accounts_accountstatuschange h WHERE h.account_id = a.id)
                       THEN (SELECT h.status FROM accounts_accountstatuschange h
                             WHERE h.account_id = a.id AND h.effective_on <= %(last_day)s
                             ORDER BY h.effective_on DESC, h.id DESC LIMIT 1)
                       ELSE a.status END IN ('running', 'closing')
        ) judged
        WHERE (judged_from + {stale_days or 0} < %(last_day)s AND {stale_days is not None})
           OR (NOT has_interaction AND {"account_no_interaction" in items})
    """
    periods = items.get("column_stale", {}).get("periods") or {}
    base = f"coalesce(c.last, c.opened_on, {LOCAL_DAY.format('c.created_at')})"
    deadline = "CASE c.category " + " ".join(
        f"WHEN '{category}' THEN {_shift_sql(base, period)}" for category, period in periods.items()
    ) + (f" ELSE {_shift_sql(base, periods['other'])} END" if "other" in periods else " END")
    veto = items.get("site_columns_veto", {"key_categories": [], "key_stale": 10**9, "any_stale": 10**9, "blank": 10**9})
    key = ", ".join(f"'{k}'" for k in veto["key_categories"]) or "NULL"
    unreachable = items.get("site_unreachable")
    interaction = items.get("site_interaction_veto")
    homepage_days = int(items["homepage_stale"]["days"]) if "homepage_stale" in items else None
    sites = f"""
        WITH site AS (
            SELECT s.id, s.launched_on, s.created_at, s.homepage_is_navigation, s.has_consultation_channel,
                   CASE WHEN s.homepage_updated_on <= %(last_day)s THEN s.homepage_updated_on END AS homepage
            FROM sites_site s JOIN organisations_organisation o ON o.id = s.owner_id
            WHERE o.path LIKE %(path)s AND s.status = 'running'
        ), c AS (
            SELECT c.id, c.site_id, c.category, c.opened_on, c.created_at,
                   CASE WHEN c.last_updated_on <= %(last_day)s THEN c.last_updated_on
                        ELSE (SELECT {LOCAL_DAY.format("cu.published_at")} FROM sites_columnupdate cu
                              WHERE cu.column_id = c.id AND cu.published_at < %(end)s
                              ORDER BY cu.published_at DESC LIMIT 1) END AS last
            FROM sites_column c JOIN site ON site.id = c.site_id
        ), hit AS (
            SELECT c.site_id, c.category, c.last FROM c
            WHERE NOT coalesce(c.opened_on > %(last_day)s, false) AND {deadline if periods else "NULL"} < %(last_day)s
        ), per_site AS (
            SELECT site_id, count(*) FILTER (WHERE last IS NOT NULL) AS stale,
                   count(*) FILTER (WHERE last IS NOT NULL AND category IN ({key})) AS key_stale,
                   count(*) FILTER (WHERE last IS NULL) AS blank
            FROM hit GROUP BY site_id
        ), newest AS (
            SELECT site_id, max(last) AS last FROM c GROUP BY site_id
        ), probed AS (
            SELECT site_id, count(*) AS days, min(n) AS per_day, sum(n) AS total, sum(failed) AS failed
            FROM (
                SELECT p.site_id, {LOCAL_DAY.format("p.checked_at")}, count(*) AS n,
                       count(*) FILTER (WHERE NOT p.ok OR p.response_ms > {int(float((unreachable or {"timeout_seconds": 0})["timeout_seconds"]) * 1000)}) AS failed
                FROM sites_probe p JOIN site ON site.id = p.site_id
                WHERE p.checked_at >= %(window_from)s AND p.checked_at < %(end)s
                GROUP BY 1, 2
            ) d GROUP BY site_id
        )
        SELECT site.id, per_site.stale, per_site.key_stale, per_site.blank,
               {"true" if unreachable else "false"} AND probed.days = {int((unreachable or {"window_days": 0})["window_days"])}
                   AND probed.per_day >= {int((unreachable or {"min_probes_per_day": 0})["min_probes_per_day"])}
                   AND probed.failed >= {float((unreachable or {"max_failure_share": 0})["max_failure_share"])} * probed.total,
               {homepage_days is not None} AND CASE WHEN site.homepage IS NOT NULL AND NOT site.homepage_is_navigation
                        THEN site.homepage
                        ELSE coalesce(greatest(site.homepage, newest.last), site.launched_on, {LOCAL_DAY.format("site.created_at")}) END
                   < %(last_day)s - {homepage_days or 0}
                   AND NOT coalesce(site.launched_on > %(last_day)s, false),
               {interaction is not None} AND (NOT site.has_consultation_channel OR EXISTS (
                   SELECT 1 FROM inspections_message m
                   WHERE m.site_id = site.id AND m.valid AND m.received_at >= %(lookback_from)s AND m.received_at < %(end)s
                     AND ((m.received_at < %(unanswered_before)s AND (m.replied_at IS NULL OR m.replied_at >= %(end)s))
                          OR (m.replied_at < %(end)s AND {LOCAL_DAY.format("m.replied_at")}
                              > ({LOCAL_DAY.format("m.received_at")} + interval '{int((interaction or {"unanswered_months": 0})["unanswered_months"])} months')::date))))
        FROM site LEFT JOIN per_site ON per_site.site_id = site.id LEFT JOIN newest ON newest.site_id = site.id
             LEFT JOIN probed ON probed.site_id = site.id
    """
    return {"verdicts_accounts": accounts, "verdicts_sites": sites}


def _floor_params(root, month, items: dict) -> dict:
    from rules.dates import add_months, stale_cutoff, start_of_day

    unreachable = items.get("site_unreachable") or {"window_days": 1}
    interaction = items.get("site_interaction_veto") or {"lookback_months": 0, "unanswered_months": 0}
    return {
        "path": root.path + "%", "start": month.start_at, "end": month.end_at,
        "week_from": timezone.make_aware(dt.datetime.combine(month.start - dt.timedelta(days=6), dt.time.min)),
        "first_day": month.start, "last_day": month.end,
        "window_from": start_of_day(month.end - dt.timedelta(days=int(unreachable["window_days"]) - 1)),
        "lookback_from": start_of_day(add_months(month.end, -int(interaction["lookback_months"]))),
        "unanswered_before": start_of_day(stale_cutoff(month.end, {"months": int(interaction["unanswered_months"])})),
    }


def floor_items(root, month) -> dict:
    """The enabled checklist items in force for the region on the month's last day (code -> thresholds; the
    bench has no local override, so one set for the whole region)."""
    from reports.figures import ACCOUNT_VERDICTS, COLUMN_VERDICTS, SITE_VERDICTS, checklist_for

    checklist = checklist_for(root, month.end)
    return {code: checklist.threshold(code) for code in ACCOUNT_VERDICTS + SITE_VERDICTS + COLUMN_VERDICTS
            if code in checklist.items and checklist.enabled(code)}


def floor(root, period, items_by_month: dict, answers: dict | None = None) -> int:
    """Run the floor for the month and the month before (figures and verdicts); returns the rows read. With
    `answers`, the verdict rows of each month are kept there (for the check against the report's)."""
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # as the report's own build does (reports.figures)
        for month, statements in ((period, FLOOR_SQL), (period.previous(), FLOOR_COMPARISON_SQL)):
            items = items_by_month[month.key]
            params = _floor_params(root, month, items)
            for name, sql in {**statements, **floor_verdict_sql(items)}.items():
                cursor.execute(sql, params)
                found = cursor.fetchall()
                rows += len(found)
                if answers is not None and name.startswith("verdicts_"):
                    answers[(month.key, name)] = found
    return rows


def check_floor(root, period, items_by_month: dict) -> None:
    """The floor's verdicts are the report's (inspections.checks as of each month's last day), subject for
    subject: otherwise its time would be that of another answer."""
    from reports.figures import ReportBuilder, without_jit

    answers: dict = {}
    floor(root, period, items_by_month, answers)
    for month in (period, period.previous()):
        with without_jit():
            builder = ReportBuilder(root, month)
            hits, column_hits = builder.verdicts(), builder.column_verdicts()
        ours = {code: set() for code in hits}
        for account_id, _judged_from, stale, no_interaction in answers[(month.key, "verdicts_accounts")]:
            if stale:
                ours["account_stale"].add(account_id)
            if no_interaction:
                ours["account_no_interaction"].add(account_id)
        columns: dict[str, dict[int, int]] = {"column_stale": {}, "column_blank": {}}
        veto = items_by_month[month.key].get("site_columns_veto")
        for site_id, stale, key_stale, blank, unreachable, homepage, interaction in answers[(month.key, "verdicts_sites")]:
            for code, flag in (("site_unreachable", unreachable), ("homepage_stale", homepage),
                               ("site_interaction_veto", interaction)):
                if flag:
                    ours[code].add(site_id)
            if stale:
                columns["column_stale"][site_id] = stale
            if blank:
                columns["column_blank"][site_id] = blank
            if veto and ((key_stale or 0) >= int(veto["key_stale"]) or (stale or 0) >= int(veto["any_stale"])
                         or (blank or 0) >= int(veto["blank"])):
                ours["site_columns_veto"].add(site_id)
        theirs = {code: set(found) for code, found in hits.items()}
        for code, per_site in columns.items():
            if dict(column_hits[code]) != per_site:
                raise SystemExit(f"floor and report disagree on {code} per site for {month.key}")
        for code, found in theirs.items():
            if ours.get(code, set()) != found:
                raise SystemExit(f"floor and report disagree on {code} for {month.key}: "
                                 f"{len(ours.get(code, ()))} vs {len(found)}")
        print(f"reports.floor_verdicts_checked {month.key} " + ", ".join(
            f"{code} {len(found)}" for code, found in sorted(theirs.items())) + ", " + ", ".join(
            f"{code} {sum(found.values())}" for code, found in sorted(column_hits.items())), flush=True)


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
            # Fresh statistics and visibility maps after the seed (what autovacuum keeps in a live database), for
            # the report and the floor alike: index-only scans without a heap fetch per row.
            cursor.execute("VACUUM (ANALYZE)")
    period = parse_month(MONTH)
    # The first report of the region: nothing issued yet (an earlier run's revisions removed).
    ReportRevision.objects.filter(organisation=root).delete()

    postgres = connection.vendor == "postgresql"
    if postgres:
        items_by_month = {month.key: floor_items(root, month) for month in (period, period.previous())}
        check_floor(root, period, items_by_month)
    # BENCH_REPORT_REPEAT turns of build and floor, one after the other, the fastest of each printed: on a
    # shared machine the ratio of the two is what holds.
    builds, floors = [], []
    for _turn in range(max(_size("REPEAT", 3), 1)):
        report = None  # the last turn's report freed before the next is built
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            report = build_report(root, period)
            builds.append(time.perf_counter() - t0)
        if postgres:
            t0 = time.perf_counter()
            rows = floor(root, period, items_by_month)
            floors.append(time.perf_counter() - t0)
    # The month before is built beside this one on a connection of its own (reports.figures), whose queries
    # this count does not see.
    print(f"reports.monthly_region_report_first_s {min(builds):.2f} (fastest of {len(builds)}; queries {len(queries)} "
          f"on this connection, "
          f"sites {report['totals']['sites']}, accounts {report['totals']['accounts']})", flush=True)
    if postgres:
        print(f"reports.monthly_region_report_floor_s {min(floors):.2f} (fastest of {len(floors)}; rows {rows})", flush=True)
        print(f"reports.monthly_region_report_ratio {min(builds) / min(floors):.2f}", flush=True)
    # The rules' share of the build: the verdicts of both months from inspections.checks (the floor has them
    # in its own plain SQL, floor_verdict_sql).
    t0 = time.perf_counter()
    with without_jit():
        for month in (period, period.previous()):
            builder = ReportBuilder(root, month)
            builder.verdicts()
            builder.column_verdicts()
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
