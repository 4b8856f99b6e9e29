"""Inspections: a full run over a province (100,000 accounts, 200,000 columns, 5 million update records), and a rerun.

Sizes come from BENCH_INSPECT_* variables (ACCOUNTS, COLUMNS, ACCOUNT_UPDATES, COLUMN_UPDATES, UNITS); on SQLite
the defaults are a twentieth, so that a quick run is possible anywhere. Seeding is set-based: on PostgreSQL
the update records come from `generate_series` in one statement per table; on SQLite from bulk_create in
large batches. The province is seeded once and reused by later runs with the same sizes.

On PostgreSQL each full run is timed beside its floor, bench_inspections_floor.sql: plain SQL that opens the same
findings (checked row for row before a figure is printed). BENCH_INSPECT_REPEAT (default 3) turns of floor and full
run, the fastest of each printed; then a rerun on unchanged data.
"""
import datetime as dt
import json
import os
import time
from pathlib import Path

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

ROOT = "基准测试省（检查）"
AS_OF = dt.date(2024, 10, 9)  # a Wednesday; the week judged is National Day's, 30 Sep – 6 Oct


def _size(name: str, full: int) -> int:
    default = full if connection.vendor == "postgresql" else max(full // 20, 1)
    return int(os.environ.get(f"BENCH_INSPECT_{name}", default))


def _lag_sql(column: str) -> str:
    # One account in ten (column: one in eight) stopped updating weeks ago; the rest updated within the week.
    # ("%%" because the statements carry parameters.)
    return f"(CASE WHEN {column} %% 10 = 0 THEN 20 + {column} %% 30 ELSE {column} %% 7 END)::int"


def _column_lag_sql(column: str) -> str:
    return f"(CASE WHEN {column} %% 8 = 0 THEN 400 ELSE {column} %% 10 END)::int"


def seed(*, units: int, accounts: int, columns: int, account_updates: int, column_updates: int):
    from accounts.models import Account, AccountUpdate
    from organisations.models import Organisation, OrganisationKind
    from sites.models import Column, Site

    root = Organisation.objects.filter(name=ROOT, parent=None).first()
    if root is not None:
        have = Account.objects.filter(owner__path__startswith=root.path).count()
        have_columns = Column.objects.filter(site__owner__path__startswith=root.path).count()
        if have == accounts and have_columns == columns:
            if AccountUpdate.objects.filter(account__owner__path__startswith=root.path).exists():
                return root, False
            _seed_updates(root, accounts, columns, account_updates, column_updates)  # an earlier seeding stopped here
            return root, True
        raise SystemExit(f"{ROOT} exists with other sizes ({have} accounts, {have_columns} columns): use a fresh bench database")
    with transaction.atomic():
        root = Organisation.objects.create(name=ROOT, kind=OrganisationKind.GOVERNMENT)
        Organisation.objects.bulk_create(
            [Organisation(name=f"检查单位{i:05d}", parent=root, kind=OrganisationKind.DEPARTMENT, path="") for i in range(units)],
            batch_size=5000,
        )
        # Paths in one statement: "/root/id/".
        Organisation.objects.filter(parent=root).update(
            path=_concat(root.path, "id")
        )
        org_ids = list(Organisation.objects.filter(parent=root).order_by("id").values_list("id", flat=True))
        platforms = ["wechat", "weibo", "douyin", "kuaishou", "toutiao", "app", "other"]
        batch = []
        for i in range(accounts):
            owner = org_ids[i % units]
            slot = i // units
            batch.append(Account(
                name=f"检查账号{i}", platform=platforms[slot % len(platforms)], owner_id=owner, status="running",
                opened_on=dt.date(2023, 1, 1), password_changed_on=AS_OF - dt.timedelta(days=i % 120),
                exemption_reason="" if slot < len(platforms) else "基准测试",
            ))
            if len(batch) == 5000:
                Account.objects.bulk_create(batch)
                batch = []
        Account.objects.bulk_create(batch)
        sites = Site.objects.bulk_create(
            [Site(name=f"检查网站{o}", url=f"http://c{o}.example.gov.cn/", owner_id=o) for o in org_ids], batch_size=5000
        )
        categories = ["news", "notice", "policy", "monthly", "quarterly", "annual", "other"]
        batch = []
        for k in range(columns):
            batch.append(Column(site=sites[k % len(sites)], name=f"栏目{k}", category=categories[k % len(categories)],
                                opened_on=dt.date(2022, 1, 1)))
            if len(batch) == 5000:
                Column.objects.bulk_create(batch)
                batch = []
        Column.objects.bulk_create(batch)
    _seed_updates(root, accounts, columns, account_updates, column_updates)
    return root, True


def _seed_updates(root, accounts, columns, account_updates, column_updates):
    per_account = max(account_updates // max(accounts, 1), 1)
    per_column = max(column_updates // max(columns, 1), 1)
    if connection.vendor == "postgresql":
        _updates_postgres(root, per_account, per_column)
    else:
        _updates_python(root, per_account, per_column)


def _concat(prefix: str, field: str):
    from django.db.models import CharField, F, Value
    from django.db.models.functions import Cast, Concat

    return Concat(Value(prefix), Cast(F(field), CharField()), Value("/"))


def _updates_postgres(root, per_account: int, per_column: int):
    as_of = AS_OF.isoformat()
    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute(f"""
            INSERT INTO accounts_accountupdate (account_id, published_at, title, url, original, source, external_id, created_at)
            SELECT a.id,
                   (%s::date - ({_lag_sql('a.id')} + (g - 1) * 2) * interval '1 day' + interval '10 hours') AT TIME ZONE 'Asia/Shanghai',
                   '更新', '', g %% 3 = 1, 'api', '', now()
            FROM accounts_account a JOIN organisations_organisation o ON o.id = a.owner_id, generate_series(1, %s) g
            WHERE o.path LIKE %s
        """, [as_of, per_account, root.path + "%"])
        cursor.execute(f"""
            UPDATE accounts_account a SET last_updated_on = %s::date - {_lag_sql('a.id')},
                                          last_original_on = %s::date - {_lag_sql('a.id')}
            FROM organisations_organisation o WHERE o.id = a.owner_id AND o.path LIKE %s
        """, [as_of, as_of, root.path + "%"])
        cursor.execute(f"""
            INSERT INTO sites_columnupdate (column_id, published_at, title, url, original, source, external_id, created_at)
            SELECT c.id,
                   (%s::date - ({_column_lag_sql('c.id')} + (g - 1) * 7) * interval '1 day' + interval '9 hours') AT TIME ZONE 'Asia/Shanghai',
                   '栏目更新', '', true, 'api', '', now()
            FROM sites_column c JOIN sites_site s ON s.id = c.site_id JOIN organisations_organisation o ON o.id = s.owner_id,
                 generate_series(1, %s) g
            WHERE o.path LIKE %s AND c.id %% 50 <> 0
        """, [as_of, per_column, root.path + "%"])
        cursor.execute(f"""
            UPDATE sites_column c SET last_updated_on = %s::date - {_column_lag_sql('c.id')}
            FROM sites_site s JOIN organisations_organisation o ON o.id = s.owner_id
            WHERE s.id = c.site_id AND o.path LIKE %s AND c.id %% 50 <> 0
        """, [as_of, root.path + "%"])
        # Homepage probes: every 72 minutes over the 7 days ending with as_of (20 a day); one site in 40 fails 10 %.
        cursor.execute("""
            INSERT INTO sites_probe (site_id, checked_at, ok, response_ms, status_code, error)
            SELECT s.id, (%s::date - interval '6 days') AT TIME ZONE 'Asia/Shanghai' + g * interval '72 minutes',
                   NOT (s.id %% 40 = 0 AND g %% 10 = 0), 200, 200, ''
            FROM sites_site s JOIN organisations_organisation o ON o.id = s.owner_id, generate_series(0, 139) g
            WHERE o.path LIKE %s
        """, [as_of, root.path + "%"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _updates_python(root, per_account: int, per_column: int):
    from accounts.models import Account, AccountUpdate
    from sites.models import Column, ColumnUpdate, Probe, Site

    from rules.dates import start_of_day

    def lag(pk):
        return 20 + pk % 30 if pk % 10 == 0 else pk % 7

    def column_lag(pk):
        return 400 if pk % 8 == 0 else pk % 10

    accounts = list(Account.objects.filter(owner__path__startswith=root.path).values_list("id", flat=True))
    batch = []
    for pk in accounts:
        for g in range(1, per_account + 1):
            day = AS_OF - dt.timedelta(days=lag(pk) + (g - 1) * 2)
            batch.append(AccountUpdate(account_id=pk, published_at=start_of_day(day) + dt.timedelta(hours=10), title="更新",
                                       original=g % 3 == 1))
            if len(batch) >= 20000:
                AccountUpdate.objects.bulk_create(batch)
                batch = []
    AccountUpdate.objects.bulk_create(batch)
    with transaction.atomic():
        by_lag: dict[int, list[int]] = {}
        for pk in accounts:
            by_lag.setdefault(lag(pk), []).append(pk)
        for days, pks in by_lag.items():
            for start in range(0, len(pks), 900):
                Account.objects.filter(pk__in=pks[start:start + 900]).update(
                    last_updated_on=AS_OF - dt.timedelta(days=days), last_original_on=AS_OF - dt.timedelta(days=days))
    columns = list(Column.objects.filter(site__owner__path__startswith=root.path).values_list("id", flat=True))
    batch = []
    for pk in columns:
        if pk % 50 == 0:
            continue
        for g in range(1, per_column + 1):
            day = AS_OF - dt.timedelta(days=column_lag(pk) + (g - 1) * 7)
            batch.append(ColumnUpdate(column_id=pk, published_at=start_of_day(day) + dt.timedelta(hours=9), title="栏目更新"))
            if len(batch) >= 20000:
                ColumnUpdate.objects.bulk_create(batch)
                batch = []
    ColumnUpdate.objects.bulk_create(batch)
    with transaction.atomic():
        by_lag = {}
        for pk in columns:
            if pk % 50:
                by_lag.setdefault(column_lag(pk), []).append(pk)
        for days, pks in by_lag.items():
            for start in range(0, len(pks), 900):
                Column.objects.filter(pk__in=pks[start:start + 900]).update(last_updated_on=AS_OF - dt.timedelta(days=days))
    sites = list(Site.objects.filter(owner__path__startswith=root.path).values_list("id", flat=True))
    begin = start_of_day(AS_OF - dt.timedelta(days=6))
    Probe.objects.bulk_create([
        Probe(site_id=s, checked_at=begin + dt.timedelta(minutes=72 * g), ok=not (s % 40 == 0 and g % 10 == 0), response_ms=200)
        for s in sites for g in range(140)
    ], batch_size=20000)


FLOOR_SQL = Path(__file__).with_name("bench_inspections_floor.sql")


def floor_params(root, inspection_id: int) -> dict:
    """The floor's parameters, from the same checklist items and dates the run uses."""
    from inspections.checks import Context
    from inspections.services import local_today
    from rules import availability
    from rules import thresholds as checklist
    from rules.dates import end_of_day, rectification_due, start_of_day

    group = checklist.groups_for(root, AS_OF)[0]
    ctx = Context(as_of=AS_OF, include=group.include, exclude=group.exclude, items=group.items)
    probe = ctx.thresholds("site_unreachable")
    veto = ctx.thresholds("site_columns_veto")
    rules = [{"rule": code, "severity": item.kind, "source": item.source[:200], "version": item.version_id}
             for code, item in group.items.items() if item.enabled]
    return {
        "as_of": AS_OF, "day_end": end_of_day(AS_OF), "scope": root.path + "%", "inspection": inspection_id,
        "due_on": rectification_due(max(AS_OF, local_today()), int(ctx.thresholds("rectification_overdue")["days"])),
        "periods": json.dumps(ctx.thresholds("column_stale")["periods"]), "rules": json.dumps(rules),
        "stale_days": int(ctx.thresholds("account_stale")["days"]),
        "password_days": int(ctx.thresholds("credential_rotation")["days"]),
        "homepage_days": int(ctx.thresholds("homepage_stale")["days"]),
        "key_categories": list(veto["key_categories"]), "key_stale": int(veto["key_stale"]),
        "any_stale": int(veto["any_stale"]), "blank": int(veto["blank"]),
        "window_start": start_of_day(availability.window(AS_OF, probe)[0]), "window_days": int(probe["window_days"]),
        "timeout_ms": int(float(probe["timeout_seconds"]) * 1000), "min_per_day": int(probe["min_probes_per_day"]),
        "max_share": float(probe["max_failure_share"]),
    }


def _forget(queryset) -> None:
    """Delete the benchmark's own rows in one statement: delete() would write an audit entry per row (12,000
    chained entries, a minute), and these rows are the benchmark's, not anybody's business."""
    queryset._raw_delete(queryset.db)


KEY = ("rule", "subject_type", "subject_id", "period_key", "organisation_id", "status")


# Every stored column of a finding that two runs judging the same data must write alike (not the run's own id
# nor the moment it was written).
STORED = ("rule", "severity", "subject_type", "subject_id", "subject_name", "organisation_id", "detail", "source",
          "checklist_version_id", "found_on", "due_on", "status", "period_key", "rectified_on", "rectification_state")
# How many of the floor's findings have their evidence compared with the run's.
SAMPLE = 2000


def run_floor(root) -> tuple[float, set, dict]:
    """The floor SQL in one committed transaction (timed), the findings it opened and the evidence of a sample
    of them, then gone again (untimed)."""
    from inspections.models import Finding, Inspection

    holder = Inspection.objects.create(as_of=AS_OF, organisation=root, status="finished")
    params = floor_params(root, holder.pk)
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # as the run does: compiling would cost more than it saves
        cursor.execute(FLOOR_SQL.read_text(), params)
    elapsed = time.perf_counter() - t0
    found = set(Finding.objects.filter(inspection=holder).values_list(*KEY))
    evidence = {row[:-1]: row[-1] for row in Finding.objects.filter(inspection=holder).order_by("?")[:SAMPLE]
                .values_list(*KEY, "detail")}
    _forget(Finding.objects.filter(inspection=holder))
    _forget(Inspection.objects.filter(pk=holder.pk))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE inspections_finding")
    return elapsed, found, evidence


def check_evidence(run, floor_evidence: dict) -> None:
    """The evidence the floor writes (a part of what a finding records) is in the run's findings, as written."""
    from inspections.models import Finding

    stored = {row[:-1]: row[-1] for row in Finding.objects.filter(inspection=run).values_list(*KEY, "detail")}
    differ = [(key, detail, stored.get(key)) for key, detail in floor_evidence.items()
              if not detail.items() <= (stored.get(key) or {}).items()]
    if differ:
        raise SystemExit(f"the run's evidence differs from the floor's in {len(differ)} of {len(floor_evidence)} sampled "
                         f"findings (e.g. {differ[:2]})")


def stored_findings(services, run) -> dict:
    """The stored rows of the findings `run` opened, by key, for the rules recorded in the database."""
    from inspections.models import Finding

    rows = Finding.objects.filter(inspection=run, rule__in=services.IN_DATABASE).values(*STORED)
    return {(row["rule"], row["subject_type"], row["subject_id"], row["period_key"]): row for row in rows}


def check_python_path(services, root, run) -> int:
    """A run recording every rule through Python (as on SQLite) stores the same rows, evidence included, as the
    run that recorded the four biggest rules in the database: compared column by column, every finding."""
    from inspections.models import Finding, Inspection

    in_database = stored_findings(services, run)
    _forget(Finding.objects.filter(organisation__path__startswith=root.path))
    recorded, services.IN_DATABASE = services.IN_DATABASE, ()
    try:
        python_run, _elapsed, _queries = _timed_run(services, root)
    finally:
        services.IN_DATABASE = recorded
    through_python = stored_findings(services, python_run)
    differ = [key for key in in_database.keys() | through_python.keys() if in_database.get(key) != through_python.get(key)]
    if differ:
        key = min(differ)
        raise SystemExit(f"the findings recorded in the database differ from those recorded through Python: {len(differ)} "
                         f"of {len(in_database)} (e.g. {in_database.get(key)} against {through_python.get(key)})")
    _forget(Finding.objects.filter(inspection=python_run))
    _forget(Inspection.objects.filter(pk=python_run.pk))
    return len(in_database)


def _timed_run(services, root):
    with CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        run = services.inspect(as_of=AS_OF, organisation=root)
        elapsed = time.perf_counter() - t0
    if run.status != "finished":
        raise SystemExit(f"inspection failed: {run.error}")
    return run, elapsed, queries


def main():
    from django.core.management import call_command
    from django.urls import reverse

    from accounts.models import AccountUpdate
    from inspections import services
    from inspections.models import Finding
    from sites.models import ColumnUpdate

    call_command("migrate", verbosity=0)
    # A worker has its URLconf loaded before its first run (the run links its notifications to a page); loading
    # it here keeps two seconds of imports out of the first timed run.
    reverse("inspections-my-findings")
    sizes = dict(
        units=_size("UNITS", 2000), accounts=_size("ACCOUNTS", 100_000), columns=_size("COLUMNS", 200_000),
        account_updates=_size("ACCOUNT_UPDATES", 3_000_000), column_updates=_size("COLUMN_UPDATES", 2_000_000),
    )
    t0 = time.perf_counter()
    root, seeded = seed(**sizes)
    updates = (AccountUpdate.objects.filter(account__owner__path__startswith=root.path).count()
               + ColumnUpdate.objects.filter(column__site__owner__path__startswith=root.path).count())
    print(f"inspections.seed_s {time.perf_counter() - t0:.1f} ({'seeded' if seeded else 'reused'}; {connection.vendor}; "
          f"units {sizes['units']}, accounts {sizes['accounts']}, columns {sizes['columns']}, update records {updates})", flush=True)
    # A fresh start for the timed runs: the findings and runs of earlier benchmark runs over this province go.
    from inspections.models import Inspection

    _forget(Finding.objects.filter(organisation__path__startswith=root.path))
    _forget(Finding.objects.filter(inspection__organisation=root))
    _forget(Inspection.objects.filter(organisation=root))
    # The machine may be shared: the floor and the full run take turns BENCH_INSPECT_REPEAT times (each on an
    # empty findings table) and the fastest of each is the figure; the rerun follows the last full run.
    repeat = max(int(os.environ.get("BENCH_INSPECT_REPEAT", "3")), 1)
    floors, fulls = [], []
    for attempt in range(repeat):
        floor_found = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE inspections_finding")
            elapsed, floor_found, floor_evidence = run_floor(root)
            floors.append(elapsed)
        run, elapsed, queries = _timed_run(services, root)
        fulls.append(elapsed)
        opened = set(Finding.objects.filter(inspection=run).values_list(*KEY))
        if floor_found is not None and opened != floor_found:
            raise SystemExit(f"the floor SQL does not open the run's findings: {len(opened - floor_found)} only in "
                             f"the run (e.g. {sorted(opened - floor_found)[:3]}), {len(floor_found - opened)} only "
                             f"in the floor (e.g. {sorted(floor_found - opened)[:3]})")
        if floor_found is not None:
            check_evidence(run, floor_evidence)
        if attempt < repeat - 1:
            _forget(Finding.objects.filter(inspection=run))
            _forget(Inspection.objects.filter(pk=run.pk))
    if floors:
        print(f"inspections.full_run_floor_s {min(floors):.2f} (plain SQL: benchmarks/{FLOOR_SQL.name}, the same "
              f"{len(floor_found)} findings; of {', '.join(f'{t:.2f}' for t in floors)})", flush=True)
    print(f"inspections.full_run_s {min(fulls):.2f} (queries {len(queries)}, new findings {run.counts['new']}, firing "
          f"{run.counts['firing']}; of {', '.join(f'{t:.2f}' for t in fulls)})", flush=True)
    slowest = sorted(run.counts["seconds_by_rule"].items(), key=lambda kv: -sum(kv[1]))[:6]
    print("inspections.full_run_slowest_rules " + ", ".join(f"{code} {check:.2f}+{record:.2f}s" for code, (check, record) in slowest), flush=True)
    rerun, rerun_s, queries = _timed_run(services, root)
    print(f"inspections.rerun_unchanged_s {rerun_s:.2f} (queries {len(queries)}, new findings {rerun.counts['new']}"
          + (f", proven unchanged since run {rerun.counts['unchanged_since']}" if rerun.counts.get("unchanged_since") else ", judged")
          + ")", flush=True)
    if connection.vendor == "postgresql":
        compared = check_python_path(services, root, run)
        print(f"inspections.same_as_python_path {compared} (findings of {', '.join(services.IN_DATABASE)} recorded in the "
              "database, every stored column equal to a run recording them through Python)", flush=True)
    timed = {"full_run": min(fulls), "rerun_unchanged": rerun_s}
    if floors:
        print(f"inspections.full_run_ratio {min(fulls) / min(floors):.2f} (full run / floor; target at most 1.3)")
    print(f"inspections.rerun_ratio {timed['rerun_unchanged'] / timed['full_run']:.2f} (rerun / full run; target at most 0.25)")
