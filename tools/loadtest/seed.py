"""The load test's province: counties with departments, their accounts (with team and menus), sites and columns,
findings, posts with a review stage each, and a province supervisor and a county supervisor with API tokens and
a signed-in session. Sizes from BENCH_LOAD_* variables (see sizes()); seeded once per size and reused."""
from __future__ import annotations

import datetime as dt
import os

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.utils import timezone

ROOT = "基准测试省（负载）"
BATCH = 5000


def sizes() -> dict[str, int]:
    """A fifth of a province by default on PostgreSQL, a hundredth on SQLite (a quick run anywhere)."""
    small = connection.vendor != "postgresql"
    defaults = {"COUNTIES": 20, "UNITS": 400, "ACCOUNTS": 20_000, "COLUMNS": 40_000, "FINDINGS": 30_000, "POSTS": 5_000}
    if small:
        defaults = {k: max(v // 100, 2) for k, v in defaults.items()}
    return {k.lower(): int(os.environ.get(f"BENCH_LOAD_{k}", v)) for k, v in defaults.items()}


def _chunks(objects, model):
    created = []
    for start in range(0, len(objects), BATCH):
        created += model.objects.bulk_create(objects[start:start + BATCH])
    return created


def seed(size: dict[str, int]) -> dict:
    """The province (seeded if missing) and what the load test signs in with."""
    from accounts.models import Account, AccountMenu, AccountTeamMember
    from organisations.models import Organisation

    root = Organisation.objects.filter(name=ROOT, parent=None).first()
    if root is not None:
        have = Account.objects.filter(owner__path__startswith=root.path).count()
        if have != size["accounts"]:
            raise SystemExit(f"{ROOT} exists with {have} accounts, not {size['accounts']}: use a fresh database")
        return _people(root)
    from inspections.models import Finding, Inspection, InspectionStatus
    from organisations.models import OrganisationKind, Role, User
    from publishing.models import Post, PostRevision
    from review.models import ReviewRun, ReviewTask
    from sites.models import Column, Site

    # Dates from the day of seeding, as the server judges them: most subjects within their rules, some close to
    # their deadline, some past it (the dashboard's at-risk panel then has what a real province has).
    today = timezone.localdate()
    with transaction.atomic():
        root = Organisation.objects.create(name=ROOT, kind=OrganisationKind.GOVERNMENT)
        counties = [Organisation.objects.create(name=f"负载县{c:03d}", parent=root, kind=OrganisationKind.GOVERNMENT)
                    for c in range(size["counties"])]
        units = []
        for index in range(size["units"]):
            county = counties[index % len(counties)]
            units.append(Organisation(name=f"负载单位{index:05d}", parent=county, kind=OrganisationKind.DEPARTMENT,
                                      path=""))
        units = _chunks(units, Organisation)
        for unit in units:  # paths as save() writes them: the county's path and the unit's id
            unit.path = f"{unit.parent.path}{unit.pk}/"
        Organisation.objects.bulk_update(units, ["path"], batch_size=BATCH)
        platforms = ["wechat", "weibo", "douyin", "kuaishou", "toutiao", "app", "other"]
        statuses = ["running"] * 8 + ["closing", "closed"]
        accounts = []
        for i in range(size["accounts"]):
            unit = units[i % len(units)]
            accounts.append(Account(
                name=f"负载账号{i:06d}", platform=platforms[(i // len(units)) % len(platforms)], owner=unit,
                operator=unit, supervisor=unit.parent, status=statuses[i % len(statuses)],
                opened_on=dt.date(2023, 1, 1), last_updated_on=today - dt.timedelta(days=i % 17),
                last_original_on=today - dt.timedelta(days=i % 90),
                # Beyond one live account per unit and platform: exempted, as the register allows.
                exemption_reason="" if i < len(units) * len(platforms) else "基准测试",
            ))
        accounts = _chunks(accounts, Account)
        _chunks([AccountTeamMember(account=a, name=f"管理员{k}", mobile=f"1380000{k:04d}", position=k)
                 for a in accounts for k in (1, 2)], AccountTeamMember)
        _chunks([AccountMenu(account=a, name="服务", position=1) for a in accounts], AccountMenu)
        sites = _chunks([Site(name=f"负载网站{u.pk}", url=f"http://l{u.pk}.example.gov.cn/", owner=u) for u in units], Site)
        categories = ["news", "notice", "policy", "monthly", "quarterly", "annual", "other"]
        _chunks([Column(site=sites[k % len(sites)], name=f"栏目{k}", category=categories[k % len(categories)],
                        opened_on=dt.date(2022, 1, 1), last_updated_on=today - dt.timedelta(days=k % 17))
                 for k in range(size["columns"])], Column)
        run = Inspection.objects.create(as_of=today, organisation=root, status=InspectionStatus.FINISHED)
        _chunks([Finding(
            inspection=run, rule="account_stale", severity="veto", subject_type="account", subject_id=a.pk,
            subject_name=a.name, organisation=a.owner, found_on=today - dt.timedelta(days=k % 60),
            due_on=today - dt.timedelta(days=k % 60) + dt.timedelta(days=15), period_key=f"{k}",
            status=["open", "overdue", "rectified"][k % 3],
        ) for k, a in ((k, accounts[k % len(accounts)]) for k in range(size["findings"]))], Finding)
        province = User.objects.create_user("loadtest_province", password=None, display_name="负载测试省级监管",
                                            home_organisation=root)
        county = User.objects.create_user("loadtest_county", password=None, display_name="负载测试县级监管",
                                          home_organisation=counties[0])
        from organisations.models import Membership

        Membership.objects.create(user=province, organisation=root, role=Role.SUPERVISOR)
        Membership.objects.create(user=county, organisation=counties[0], role=Role.SUPERVISOR)
        now = timezone.make_aware(dt.datetime.combine(today, dt.time(9)))
        posts = _chunks([Post(organisation=units[k % len(units)], author=province, title=f"负载稿件{k}", status="in_review")
                         for k in range(size["posts"])], Post)
        revisions = _chunks([PostRevision(post=p, number=1, title=p.title, created_by=province) for p in posts], PostRevision)
        runs = _chunks([ReviewRun(post=p, started_by=province, stages=[]) for p in posts], ReviewRun)
        _chunks([ReviewTask(run=r, post=p, position=1, stage="first", role="editor", revision=v,
                            opened_at=now - dt.timedelta(hours=k % 500), due_on=today + dt.timedelta(days=k % 7 - 3),
                            status="open" if k % 2 else "approved",
                            decided_at=None if k % 2 else now - dt.timedelta(hours=k % 300), decided_by=None if k % 2 else province)
                 for k, (p, r, v) in enumerate(zip(posts, runs, revisions))], ReviewTask)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return _people(root)


def _people(root) -> dict:
    """The two supervisors, each with a fresh API token and a signed-in session."""
    from organisations.models import ApiToken, User

    people = {}
    for name in ("province", "county"):
        user = User.objects.get(username=f"loadtest_{name}")
        key = ApiToken.generate_key()
        ApiToken.objects.create(user=user, name="负载测试", key_hash=ApiToken.hash_key(key),
                                prefix=key[:ApiToken.PREFIX_LENGTH], last_used_at=timezone.now())
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        people[name] = {"token": key, "session": session.session_key, "user": user.pk}
    people["root"] = root.pk
    return people
