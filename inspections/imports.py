"""CSV (or xlsx) import of error reports (找错) and messages (留言): every row is checked first, and either all
valid rows are recorded or, when any row is bad, nothing is and each bad row is named with its line and field.
A row whose `external_id` is already recorded is skipped, so a file may be imported twice. Reading the file
(size, encoding such as Excel's GBK, rows) is core's."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime

from accounts.models import Account
from govmedia.core.imports import ImportReport, UnreadableFile, read_table
from organisations import access
from rules.dates import start_of_day
from sites.models import Site

from . import services
from .models import ErrorReport, Message

MAX_ROWS = 5000

# The headings an office writes (as the pages show them), beside the field names other systems send.
HEADINGS = {
    "网站编号": "site", "账号编号": "account", "收到时间": "received_at", "内容": "content", "网址": "url",
    "反映人": "reporter", "留言人": "author", "标题": "title", "是否公开": "public", "平台编号": "external_id",
}
FIELD_HEADINGS = {**{field: heading for heading, field in HEADINGS.items()}, "file": "文件"}
ERROR_REPORT_HEADINGS = "网站编号、收到时间、内容、网址、反映人、平台编号"
MESSAGE_HEADINGS = "网站编号、账号编号、收到时间、留言人、标题、内容、是否公开、平台编号"


def _rows(file, report: ImportReport) -> list[tuple[int, dict]]:
    """(line, {field: value}) of every data row; nothing when the file is unreadable or has no data."""
    try:
        records = read_table(file, max_rows=MAX_ROWS).records()
    except UnreadableFile as exc:
        report.refuse_row(1, exc.reason, field="file")
        return []
    if not records:
        report.refuse_row(1, "文件没有数据行（第一行应为表头）。", field="file")
    return [(line, {HEADINGS.get(str(k).strip(), k): v for k, v in row.items()}) for line, row in records]


def _answer(report: ImportReport) -> dict:
    errors = [{"line": p.row, "field": p.field, "error": p.message} for p in report.problems]
    return {"created": 0, "skipped": 0, "errors": errors}


def _moment(value: str):
    value = (value or "").strip()
    moment = parse_datetime(value.replace(" ", "T")) if value else None
    if moment is None and value:
        day = parse_date(value)
        if day:
            moment = start_of_day(day)
    return moment


def _lookup(model_qs, value, field, report, line):
    try:
        return model_qs.get(pk=int(value))
    except (ValueError, TypeError, model_qs.model.DoesNotExist):
        report.refuse_row(line, f"{field} “{value}” 不存在或不在您的范围内。", field=field)
        return None


def import_error_reports(*, user, file) -> dict:
    report = ImportReport()
    rows = _rows(file, report)
    sites = Site.objects.for_user(user)
    prepared = []
    for line, row in rows:
        site = _lookup(sites, row.get("site"), "site", report, line)
        if site and not access.can_act_for_unit(user, site.owner):
            report.refuse_row(line, "您不能为该网站登记找错。", field="site")
        received_at = _moment(row.get("received_at"))
        if received_at is None:
            report.refuse_row(line, "收到时间格式应为 YYYY-MM-DD HH:MM。", field="received_at")
        if not (row.get("content") or "").strip():
            report.refuse_row(line, "问题描述不能为空。", field="content")
        prepared.append((line, site, received_at, row))
    if not report.ok:
        return _answer(report)
    return _save(prepared, ErrorReport, lambda site, received_at, row: services.error_report_create(
        site=site, received_at=received_at, content=row["content"].strip(), url=(row.get("url") or "").strip(),
        reporter=(row.get("reporter") or "").strip(), external_id=(row.get("external_id") or "").strip(),
    ), lambda site, row: ErrorReport.objects.filter(site=site, external_id=(row.get("external_id") or "").strip()))


def import_messages(*, user, file) -> dict:
    report = ImportReport()
    rows = _rows(file, report)
    sites, accounts = Site.objects.for_user(user), Account.objects.for_user(user)
    prepared = []
    for line, row in rows:
        target = None
        if (row.get("site") or "").strip():
            target = _lookup(sites, row["site"], "site", report, line)
        elif (row.get("account") or "").strip():
            target = _lookup(accounts, row["account"], "account", report, line)
        else:
            report.refuse_row(line, "请填写 site（网站编号）或 account（账号编号）。", field="site")
        if target is not None and not access.can_act_for_unit(user, target.owner):
            report.refuse_row(line, "您不能为该网站或账号登记留言。", field="site")
        received_at = _moment(row.get("received_at"))
        if received_at is None:
            report.refuse_row(line, "收到时间格式应为 YYYY-MM-DD HH:MM。", field="received_at")
        if not (row.get("content") or "").strip():
            report.refuse_row(line, "留言内容不能为空。", field="content")
        prepared.append((line, target, received_at, row))
    if not report.ok:
        return _answer(report)

    def create(target, received_at, row):
        is_site = isinstance(target, Site)
        return services.message_create(
            site=target if is_site else None, account=None if is_site else target, received_at=received_at,
            content=row["content"].strip(), author=(row.get("author") or "").strip(), title=(row.get("title") or "").strip(),
            public=(row.get("public") or "1").strip().lower() not in {"0", "false", "否", "no"},
            external_id=(row.get("external_id") or "").strip(),
        )

    def existing(target, row):
        is_site = isinstance(target, Site)
        return Message.objects.filter(site=target if is_site else None, account=None if is_site else target,
                                      external_id=(row.get("external_id") or "").strip())

    return _save(prepared, Message, create, existing)


def _save(prepared, model, create, existing) -> dict:
    created = skipped = 0
    report = ImportReport()
    with transaction.atomic():
        for line, target, received_at, row in prepared:
            if (row.get("external_id") or "").strip() and existing(target, row).exists():
                skipped += 1
                continue
            try:
                create(target, received_at, row)
            except ValidationError as exc:
                for field, messages in getattr(exc, "message_dict", {"file": exc.messages}).items():
                    report.refuse_row(line, "；".join(messages), field=field)
            else:
                created += 1
        if not report.ok:
            transaction.set_rollback(True)
            return _answer(report)
    return {"created": created, "skipped": skipped, "errors": []}
