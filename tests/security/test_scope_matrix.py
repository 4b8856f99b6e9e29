"""The cross-scope matrix (issue 12, "Done when"): two sibling counties, 甲县 (A) and 乙县 (B), B holding at least
one object of every kind. As A's supervisor (the strongest role there) and as one of A's ordinary staff, over EVERY
API route and EVERY page the URL resolver knows:

- a route addressed by an id of B's object answers, for every method it takes, exactly what it answers for an id
  that does not exist (404; a role gate that answers before any lookup answers the same for both), never 2xx or
  500, and changes nothing;
- a list or page without an id shows nothing of B (no B name, no B id in any id-valued field);
- a filter given B's id answers exactly like one given a missing id (same status, same body).

Routes are read from the resolver and the filters from the OpenAPI schema, so a new route or filter is covered
as soon as it exists; one that cannot be exercised is in `SKIPPED` with its reason, and a stale entry fails.
The files have their own matrix too (tests/security/test_files.py)."""
from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from accounts.models import AccountUpdate
from govmedia.core.models import AuditEntry
from inspections.models import ErrorReport, Message, Rectification
from organisations.models import ApiToken, Membership, OrganisationKind, RegionCalendarDay, Role
from publishing.models import PostAttachment, PostRevision, Stage
from reports.models import Bulletin, Export, SelfInspection
from reports.services import export_token
from review.models import ReviewPolicy, ReviewRun, ReviewTask
from rules.models import ChecklistVersion
from scanning.models import Scan, ScannedPage
from sites.models import ColumnUpdate
from tests.factories import (
    MOMENT,
    AccountFactory,
    AccountTeamMemberFactory,
    BrokenLinkFactory,
    ChecklistVersionFactory,
    ColumnFactory,
    FilingFactory,
    FindingFactory,
    InspectionFactory,
    MessagePolicyFactory,
    NotificationFactory,
    OrganisationFactory,
    PostFactory,
    ProbeFactory,
    SiteFactory,
    WordListFactory,
    person,
    token_for,
)
from webhooks.models import Delivery, Webhook

B = "乙县"  # every name, title and text of county B carries it: what A must never read
MISSING = 987654321

# --- Routes ----------------------------------------------------------------------------------------------------


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _kwargs(route: str) -> list[str]:
    return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)]


ROUTES = [
    (route, pattern) for route, pattern in _walk(get_resolver().url_patterns)
    # The admin is Django's own (superuser only); a format suffix is the same view as its route.
    if not route.startswith("admin/") and "format" not in _kwargs(route)
]

# Routes not exercised here, each with why. The test fails when one of these no longer exists.
SKIPPED = {
    # Served from the fixture web site shipped for the demo's scanner: no scoped object behind it.
    "demo-site": "演示网站的静态页面，不属于任何单位",
    # Sign-in, sign-out and the second factor act on the caller's own session only.
    "login": "本人登录", "logout": "本人退出", "otp-verify": "本人动态口令", "otp-setup": "本人绑定动态口令",
    "api-token": "本人换取令牌", "api-logout": "本人退出", "api-password": "本人修改密码",
    "password-change": "本人修改密码",
}

# The model a route's id names, by the path before the first id (API prefix and regex anchors dropped).
PREFIX_MODEL = {
    "organisations": "organisation", "users": "user", "people": "user", "memberships": "membership",
    "roles": "membership", "audit-log": "audit", "tokens": "token", "accounts": "account", "filings": "filing",
    "sites": "site", "columns": "column", "probes": "probe", "broken-links": "broken_link", "posts": "post",
    "word-lists": "word_list", "review-tasks": "review_task", "review/tasks": "review_task",
    "review-policies": "review_policy", "notifications": "notification", "webhooks": "webhook",
    "inspections": "inspection", "findings": "finding", "scans/findings": "finding", "error-reports": "error_report",
    "messages": "message", "message-policies": "message_policy", "checklist-versions": "checklist_version",
    "scans": "scan", "scans/pages": "scanned_page", "bulletins": "bulletin", "reports/bulletins": "bulletin",
    "self-inspections": "self_inspection", "files/account-qr": "account", "files/filing-qr": "filing",
    "files/attachment": "attachment", "files/evidence": "rectification", "reports/exports": "export",
    "reports/stored": "stored", "calendar": "calendar",
}
# Routes addressed by a date that every region has (the working-day calendar), not by an object of B's.
DATE_ADDRESSED = {"calendar"}
# Route arguments other than the object's id: fixed values that make the route real.
OTHER_KWARGS = {"action": "approve", "kind": "monthly", "period": "2024-10", "fmt": "xlsx"}


def _clean(route: str) -> str:
    return route.removeprefix("api/v1/").replace("^", "")


def _prefix(route: str) -> str:
    head = re.split(r"<|\(\?P<", _clean(route))[0]
    return head.strip("/")


def _name(pattern) -> str:
    return pattern.name or pattern.callback.__name__


def _methods(route: str, pattern) -> list[str]:
    callback = pattern.callback
    if getattr(callback, "actions", None):
        return sorted(m.upper() for m in callback.actions if m not in ("options", "head"))
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view is not None:
        return sorted(m.upper() for m in view.http_method_names if m not in ("options", "head") and hasattr(view, m))
    return ["GET", "POST"]  # a function view: whatever it accepts, tried both ways


DETAIL = [(r, p) for r, p in ROUTES if _kwargs(r) and _name(p) not in SKIPPED]
PLAIN = [(r, p) for r, p in ROUTES if not _kwargs(r) and _name(p) not in SKIPPED]


# --- The two counties ------------------------------------------------------------------------------------------


def _county_b():
    """County B with one object of every kind, each named for B."""
    county = OrganisationFactory(name="乙县人民政府", kind=OrganisationKind.GOVERNMENT)
    bureau = OrganisationFactory(name="乙县教育局", parent=county)
    supervisor = person("b_supervisor", county, Role.SUPERVISOR)
    editor = person("b_editor", bureau, Role.EDITOR)
    supervisor.display_name, editor.display_name = "乙县督查员", "乙县信息员"
    supervisor.save(update_fields=["display_name"])
    editor.save(update_fields=["display_name"])
    account = AccountFactory(owner=bureau, name="乙县教育发布")
    account.qr_code.save("qr.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    AccountUpdate.objects.create(account=account, published_at=MOMENT, title="乙县动态")
    AccountTeamMemberFactory(account=account, name="乙县管理员")
    filing = FilingFactory(account=account, created_by=editor)
    filing.qr_code.save("qr.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    site = SiteFactory(owner=bureau, name="乙县教育局网站", url="http://edu.yixian.example.gov.cn/")
    column = ColumnFactory(site=site, name="乙县通知公告")
    ColumnUpdate.objects.create(column=column, published_at=MOMENT, title="乙县栏目更新")
    probe = ProbeFactory(site=site)
    broken_link = BrokenLinkFactory(site=site)
    post = PostFactory(organisation=bureau, author=editor, title="乙县稿件")
    attachment = PostAttachment(post=post, name="乙县附件.pdf", size=10, uploaded_by=editor)
    attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    word_list = WordListFactory(organisation=county)
    review_policy = ReviewPolicy.objects.create(organisation=bureau)
    run = ReviewRun.objects.create(post=post, started_by=editor)
    revision = PostRevision.objects.create(post=post, number=1, title="乙县稿件", created_by=editor)
    review_task = ReviewTask.objects.create(run=run, post=post, position=1, stage=Stage.values[0],
                                            role=Role.PRINCIPAL, revision=revision)
    inspection = InspectionFactory(organisation=county, created_by=supervisor)
    finding = FindingFactory(subject=account, inspection=inspection, subject_name="乙县教育发布")
    rectification = Rectification.objects.create(finding=finding, comment="乙县已整改", submitted_by=editor)
    rectification.evidence_file.save("e.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    message_policy = MessagePolicyFactory(organisation=bureau)
    error_report = ErrorReport.objects.create(site=site, received_at=MOMENT, content="乙县网站错别字",
                                              due_on=dt.date(2024, 10, 15))
    message = Message.objects.create(site=site, received_at=MOMENT, content="乙县留言", title="乙县留言",
                                     due_on=dt.date(2024, 10, 15), reply_workdays=5)
    notification = NotificationFactory(user=editor, text="乙县通知")
    webhook = Webhook.objects.create(organisation=bureau, url="https://hooks.yixian.example.gov.cn/in",
                                     secret="乙县密钥", description="乙县推送", created_by=supervisor)
    Delivery.objects.create(webhook=webhook, event="finding.opened", occurred_at=MOMENT, organisation=bureau)
    scan = Scan.objects.create(site=site, created_by=supervisor)
    scanned_page = ScannedPage.objects.create(site=site, url="http://edu.yixian.example.gov.cn/a.html",
                                              title="乙县页面", first_scan=scan)
    bulletin = Bulletin.objects.create(organisation=county, quarter="2024Q3", title="乙县通报", data={},
                                       published_at=MOMENT, published_by=supervisor)
    self_inspection = SelfInspection.objects.create(organisation=bureau, month="2024-10", submitted_by=editor,
                                                    submitted_at=MOMENT)
    export = Export.objects.create(user=supervisor, organisation=county, kind="monthly", period="2024-10",
                                   fmt="xlsx", filename="乙县月报.xlsx")
    checklist_version = ChecklistVersionFactory(
        organisation=county, base=ChecklistVersion.objects.filter(organisation__isnull=True).first())
    RegionCalendarDay.objects.create(organisation=county, date=dt.date(2024, 10, 12), is_workday=True,
                                     note="乙县调休", entered_by=supervisor)
    token_for(editor, name="乙县令牌")
    objects = {
        "organisation": bureau, "user": editor, "membership": Membership.objects.get(user=editor),
        "token": ApiToken.objects.get(user=editor), "account": account, "filing": filing, "site": site,
        "column": column, "probe": probe, "broken_link": broken_link, "post": post, "attachment": attachment,
        "word_list": word_list, "review_policy": review_policy, "review_run": run, "review_task": review_task,
        "inspection": inspection, "finding": finding, "rectification": rectification,
        "message_policy": message_policy, "error_report": error_report, "message": message,
        "notification": notification, "webhook": webhook, "scan": scan, "scanned_page": scanned_page,
        "bulletin": bulletin, "self_inspection": self_inspection, "checklist_version": checklist_version,
        "audit": AuditEntry.objects.filter(organisation_id=bureau.pk).order_by("pk").first()
        or AuditEntry.objects.filter(actor=editor).order_by("pk").first(),
    }
    ids = {
        # Route values: an object's id, or what stands for it.
        **{key: obj.pk for key, obj in objects.items() if obj is not None},
        "export": export_token(task_id=str(export.pk), user_id=supervisor.pk, filename=export.filename, fmt="xlsx"),
        "stored": county.pk, "calendar": "2024-10-12",
    }
    return SimpleNamespace(county=county, bureau=bureau, objects=objects, ids=ids)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction rolled back afterwards; each test's own changes roll back
    to here. Uploads go to a directory of the run's own."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with media, django_db_blocker.unblock(), transaction.atomic():
        b = _county_b()
        county = OrganisationFactory(name="甲县人民政府", kind=OrganisationKind.GOVERNMENT)
        bureau = OrganisationFactory(name="甲县教育局", parent=county)
        a = SimpleNamespace(
            supervisor=person("a_supervisor", county, Role.SUPERVISOR),
            staff=person("a_staff", bureau, Role.EDITOR),
        )
        tokens = {user.username: token_for(user) for user in (a.supervisor, a.staff)}
        yield SimpleNamespace(a=a, b=b, tokens=tokens, b_ids=_b_ids(b))
        transaction.set_rollback(True)


def _b_ids(b) -> dict[str, set[int]]:
    """Every id of B's rows, by model label: what no id-valued field of A's answers may hold."""
    found = {"organisations.organisation": {b.county.pk, b.bureau.pk}}
    for obj in b.objects.values():
        if obj is not None:
            found.setdefault(obj._meta.label_lower, set()).add(obj.pk)
    return found


USERS = ["a_supervisor", "a_staff"]


def _client(world, username: str, api: bool) -> Client:
    client = Client(raise_request_exception=False)
    user = getattr(world.a, "supervisor" if username == "a_supervisor" else "staff")
    if api:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {world.tokens[username]}"
    else:
        client.force_login(user)
    return client


def _url(route: str, values: dict) -> str:
    path = _clean(route) if route.startswith("api/v1/") else route
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), path)
    path = path.replace("^", "").replace("$", "")
    return "/" + ("api/v1/" if route.startswith("api/v1/") else "") + path


def _fingerprint(world) -> dict:
    """Row counts of every business table and B's objects as stored: a request of A's must change neither."""
    counts = {
        model._meta.label: model.objects.count() for model in apps.get_models()
        if model._meta.app_label in {"organisations", "accounts", "sites", "publishing", "review", "inspections",
                                     "scanning", "reports", "rules", "webhooks", "notifications"}
        and model._meta.label not in {"organisations.ApiToken"}  # A's token records its use
    }
    rows = {
        key: type(obj).objects.filter(pk=obj.pk).values().first()
        for key, obj in world.b.objects.items() if obj is not None and key not in ("token", "audit")
    }
    return {"counts": counts, "rows": json.loads(json.dumps(rows, default=str))}


def _body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


# --- The matrix ------------------------------------------------------------------------------------------------


def test_every_route_is_classified():
    """A new route with an id is either mapped to its model here or named in SKIPPED; no stale skips."""
    names = {_name(p) for _, p in ROUTES}
    assert sorted(set(SKIPPED) - names) == [], "SKIPPED names routes that no longer exist"
    unmapped = [r for r, p in DETAIL if _prefix(r) not in PREFIX_MODEL]
    assert unmapped == []
    # Each route names one object; its other arguments have fixed values here.
    assert [r for r, _ in DETAIL if len(set(_kwargs(r)) - set(OTHER_KWARGS)) != 1] == []


@pytest.mark.django_db
@pytest.mark.parametrize("route,pattern", DETAIL, ids=[_name(p) for _, p in DETAIL])
def test_another_countys_object_is_as_missing(world, route, pattern):
    kwargs = _kwargs(route)
    key = PREFIX_MODEL[_prefix(route)]
    if key not in world.b.ids:
        pytest.fail(f"county B has no {key}")
    # The one argument not in OTHER_KWARGS names the object (a stored report's: its organisation).
    target = {**OTHER_KWARGS, **{k: world.b.ids[key] for k in kwargs if k not in OTHER_KWARGS}}
    missing = {**OTHER_KWARGS, **{k: ("2099-12-31" if key == "calendar" else "missing" if key == "export"
                                      else MISSING) for k in kwargs if k not in OTHER_KWARGS}}
    api = route.startswith("api/")
    writes = _methods(route, pattern) != ["GET"]
    before = _fingerprint(world) if writes else None
    problems = []
    for username in USERS:
        client = _client(world, username, api)
        for method in _methods(route, pattern):
            call = getattr(client, method.lower())
            extra = {"content_type": "application/json"} if api and method != "GET" else {}
            data = "{}" if api and method != "GET" else ({} if method == "GET" else {"comment": "x"})
            theirs = call(_url(route, target), data, **extra)
            nobodys = call(_url(route, missing), data, **extra)
            if theirs.status_code == 415:  # an upload action reads multipart only: ask again as a form would
                theirs = call(_url(route, target), {"comment": "x"})
                nobodys = call(_url(route, missing), {"comment": "x"})
            text = _body(theirs)
            if key in DATE_ADDRESSED:
                # Every county reads its own calendar for any date; B's own entry for it must not show or change.
                if theirs.status_code >= 500 or B in text:
                    problems.append((username, method, theirs.status_code, text[:200]))
            elif (theirs.status_code != nobodys.status_code or theirs.status_code < 300
                    or theirs.status_code >= 500 or B in text):
                problems.append((username, method, theirs.status_code, nobodys.status_code, text[:200]))
    assert problems == []
    if writes:
        assert _fingerprint(world) == before


# Routes without a GET (their bodies are the body test's) are left out here, not skipped: a skip would read as a
# missing service in CI.
PLAIN_GET = [(r, p) for r, p in PLAIN if "GET" in _methods(r, p)]


@pytest.mark.django_db
@pytest.mark.parametrize("route,pattern", PLAIN_GET, ids=[_name(p) for _, p in PLAIN_GET])
def test_lists_and_pages_show_nothing_of_another_county(world, route, pattern):
    problems = []
    for username in USERS:
        response = _client(world, username, route.startswith("api/")).get(_url(route, {}))
        text = _body(response)
        if response.status_code >= 500 or B in text:
            problems.append((username, response.status_code, text[text.find(B) - 100:text.find(B) + 100]))
        if "json" in response.get("Content-Type", ""):
            problems += [(username, leak) for leak in _id_leaks(world, json.loads(text), _model_of(route))]
    assert problems == []


# Id-valued fields of answers, by name, and the model each names.
FIELD_MODEL = {
    "organisation": "organisations.organisation", "owner": "organisations.organisation",
    "operator": "organisations.organisation", "supervisor": "organisations.organisation",
    "parent": None, "home_organisation": "organisations.organisation", "user": "organisations.user",
    "author": "organisations.user", "decided_by": "organisations.user", "created_by": "organisations.user",
    "account": "accounts.account", "site": "sites.site", "column": "sites.column", "post": "publishing.post",
    "inspection": "inspections.inspection", "finding": "inspections.finding", "webhook": "webhooks.webhook",
    "run": "review.reviewrun", "scan": "scanning.scan",
}


def _model_of(route: str) -> str | None:
    key = PREFIX_MODEL.get(_prefix(route).split("/")[0])
    label = {
        "organisation": "organisations.organisation", "user": "organisations.user",
        "membership": "organisations.membership",
    }.get(key)
    if label:
        return label
    for model in apps.get_models():
        if key and model._meta.model_name == key.replace("_", ""):
            return model._meta.label_lower
    return None


def _id_leaks(world, data, model: str | None, path="") -> list:
    leaks = []
    if isinstance(data, list):
        for item in data:
            leaks += _id_leaks(world, item, model, path)
    elif isinstance(data, dict):
        for field, value in data.items():
            label = model if field == "id" else FIELD_MODEL.get(field.removesuffix("_id"))
            if field == "parent":
                label = model
            values = value if isinstance(value, list) else [value]
            for v in values:
                if isinstance(v, int) and not isinstance(v, bool) and label and v in world.b_ids.get(label, ()):
                    leaks.append(f"{path}{field}={v}")
            if isinstance(value, (dict, list)):
                leaks += _id_leaks(world, value, FIELD_MODEL.get(field) or None, f"{path}{field}.")
    return leaks


# --- Filters ---------------------------------------------------------------------------------------------------

# Integer query parameters that name no object.
NOT_IDS = {"year", "days", "action", "days_since_update", "page", "page_size"}
# Parameters naming an object, by name; (path, name) where the same name means another thing on one path.
PARAM_MODEL = {
    "organisation": "organisation", "owner": "organisation", "operator": "organisation",
    "supervisor": "organisation", "within": "organisation", "home_organisation": "organisation",
    "memberships__organisation": "organisation", "parent": "organisation", "site": "site", "account": "account",
    "accounts": "account", "subject_id": "account", "column": "column", "columns": "column", "post": "post",
    "inspection": "inspection", "author": "user", "user": "user", "responsible": "user", "decided_by": "user",
    "run": "review_run",
    ("/api/v1/columns/", "parent"): "column", ("/api/v1/columns/{id}/updates/", "parent"): "column",
    ("/api/v1/countdown/", "within"): None,  # days ahead
}


SCHEMA = SchemaGenerator().get_schema(request=None, public=True)


def _filters():
    schema = SCHEMA
    found = []
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if not operation or "{" in path:  # a nested list is out of A's reach as a whole (its parent is B's)
            continue
        for parameter in operation.get("parameters", []):
            if (parameter["in"] == "query" and parameter.get("schema", {}).get("type") == "integer"
                    and parameter["name"] not in ("page", "page_size")):
                found.append((path, parameter["name"]))
    return found


FILTERS = _filters()
# What a path needs besides the filter for the filter to be read at all.
FILTER_CONTEXT = {"/api/v1/reports/monthly/": {"month": "2024-10"}, "/api/v1/reports/quarterly/": {"quarter": "2024-Q3"}}


def _unnamed(text: str, value) -> str:
    """The answer with the id given replaced, so that two answers compare as shapes (an error may quote it)."""
    return re.sub(rf"(?<!\d){value}(?!\d)", "ID", text)


def test_every_id_filter_is_mapped():
    unknown = [(p, n) for p, n in FILTERS if n not in NOT_IDS and (p, n) not in PARAM_MODEL and n not in PARAM_MODEL]
    assert unknown == []


def _filter_model(path, name):
    return PARAM_MODEL.get((path, name), PARAM_MODEL.get(name)) if name not in NOT_IDS else None


# Integer parameters that are not ids (a number of days, a page) have nothing of another county to give.
ID_FILTERS = [(p, n) for p, n in FILTERS if _filter_model(p, n) is not None]


@pytest.mark.django_db
@pytest.mark.parametrize("path,name", ID_FILTERS, ids=[f"{p}?{n}" for p, n in ID_FILTERS])
def test_a_filter_given_another_countys_id_answers_as_for_a_missing_one(world, path, name):
    key = _filter_model(path, name)
    target = world.b.ids[key]
    url = path
    problems = []
    for username in USERS:
        client = _client(world, username, api=True)
        theirs = client.get(url, {**FILTER_CONTEXT.get(path, {}), name: target})
        nobodys = client.get(url, {**FILTER_CONTEXT.get(path, {}), name: MISSING})
        a, b = _unnamed(_body(theirs), target), _unnamed(_body(nobodys), MISSING)
        if theirs.status_code != nobodys.status_code or a != b or theirs.status_code >= 500:
            problems.append((username, theirs.status_code, nobodys.status_code, a[:300], b[:300]))
    assert problems == []


# --- Bodies ----------------------------------------------------------------------------------------------------

# Integer body fields that name no object, and those that name one where PARAM_MODEL's name means another.
BODY_NOT_IDS = NOT_IDS | {"followers", "reply_workdays", "province_notice_count"}
BODY_MODEL = {"interprets": "post", "base": "checklist_version", "template": "checklist_version",
              "co_producers": "organisation", ("/api/v1/columns/", "parent"): "column"}


def _bodies():
    """(path, field, as a list) of every id-valued field a create (POST to a list) takes, from the schema."""
    schema = SCHEMA
    components = schema["components"]["schemas"]
    found = []
    for path, operations in schema["paths"].items():
        operation = operations.get("post")
        if "{" in path or not operation or "requestBody" not in operation:
            continue
        body = operation["requestBody"]["content"].get("application/json", {}).get("schema", {})
        # A bulk push is a list of records: each record's id fields are tried inside a one-record list.
        records = body.get("type") == "array"
        ref = body.get("items", {}).get("$ref") if records else body.get("$ref")
        if not ref:
            continue
        for name, field in components[ref.split("/")[-1]].get("properties", {}).items():
            items = field.get("items", {})
            if field.get("readOnly") or name in BODY_NOT_IDS:
                continue
            if field.get("type") == "integer" or items.get("type") == "integer" or name == "co_producers":
                found.append((path, name, "records" if records else field.get("type") == "array"))
    return found


BODIES = _bodies()


def test_every_id_body_field_is_mapped():
    keys = {**PARAM_MODEL, **BODY_MODEL}
    assert [(p, n) for p, n, _ in BODIES if (p, n) not in keys and n not in keys] == []


@pytest.mark.django_db
@pytest.mark.parametrize("path,name,many", BODIES, ids=[f"{p}:{n}" for p, n, _ in BODIES])
def test_a_body_naming_another_countys_object_answers_as_for_a_missing_one(world, path, name, many):
    keys = {**PARAM_MODEL, **BODY_MODEL}
    key = keys.get((path, name), keys.get(name))
    if key is None:
        pytest.skip("not an id here")
    target = world.b.ids[key]

    def body(value):
        if name == "co_producers":
            return {name: [{"organisation": value}]}
        if many == "records":
            return [{name: value, "published_at": "2024-10-08T10:00:00+08:00", "title": "标题"}]
        return {name: [value] if many else value}

    before = _fingerprint(world)
    problems = []
    for username in USERS:
        client = _client(world, username, api=True)
        theirs = client.post(path, body(target), content_type="application/json")
        nobodys = client.post(path, body(MISSING), content_type="application/json")
        a, b = _unnamed(_body(theirs), target), _unnamed(_body(nobodys), MISSING)
        if theirs.status_code != nobodys.status_code or a != b or theirs.status_code >= 500 or B in a:
            problems.append((username, theirs.status_code, nobodys.status_code, a[:300], b[:300]))
    assert problems == []
    assert _fingerprint(world) == before
