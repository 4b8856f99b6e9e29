"""CSV import of error reports (找错) and messages (留言): every row is checked first, and either all valid
rows are recorded or, when any row is bad, nothing is and each bad row is named with its line and field.
A row whose `external_id` is already recorded is skipped, so a file may be imported twice."""
from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime

from accounts.models import Account
from sites.models import Site

from . import selectors, services
from .models import ErrorReport, Message

MAX_ROWS = 5000


def _rows(file) -> list[dict]:
    raw = file.read()
    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    return list(csv.DictReader(io.StringIO(text)))


def _moment(value: str):
    value = (value or "").strip()
    moment = parse_datetime(value.replace(" ", "T")) if value else None
    if moment is None and value:
        day = parse_date(value)
        if day:
            from .dates import start_of_day

            moment = start_of_day(day)
    return moment


def _lookup(model_qs, value, field, errors, line):
    try:
        return model_qs.get(pk=int(value))
    except (ValueError, TypeError, model_qs.model.DoesNotExist):
        errors.append({"line": line, "field": field, "error": f"{field} “{value}” 不存在或不在您的范围内。"})
        return None


def _check_count(rows, errors):
    if not rows:
        errors.append({"line": 1, "field": "file", "error": "文件没有数据行（第一行应为表头）。"})
    if len(rows) > MAX_ROWS:
        errors.append({"line": 1, "field": "file", "error": f"一次最多导入 {MAX_ROWS} 行。"})


def import_error_reports(*, user, file) -> dict:
    rows = _rows(file)
    errors: list[dict] = []
    _check_count(rows, errors)
    sites = Site.objects.for_user(user)
    prepared = []
    for line, row in enumerate(rows, start=2):
        site = _lookup(sites, row.get("site"), "site", errors, line)
        if site and not selectors.can_reply(user, site.owner_id):
            errors.append({"line": line, "field": "site", "error": "您不能为该网站登记找错。"})
        received_at = _moment(row.get("received_at"))
        if received_at is None:
            errors.append({"line": line, "field": "received_at", "error": "收到时间格式应为 YYYY-MM-DD HH:MM。"})
        if not (row.get("content") or "").strip():
            errors.append({"line": line, "field": "content", "error": "问题描述不能为空。"})
        prepared.append((line, site, received_at, row))
    if errors:
        return {"created": 0, "skipped": 0, "errors": errors}
    return _save(prepared, ErrorReport, lambda site, received_at, row: services.error_report_create(
        site=site, received_at=received_at, content=row["content"].strip(), url=(row.get("url") or "").strip(),
        reporter=(row.get("reporter") or "").strip(), external_id=(row.get("external_id") or "").strip(),
    ), lambda site, row: ErrorReport.objects.filter(site=site, external_id=(row.get("external_id") or "").strip()))


def import_messages(*, user, file) -> dict:
    rows = _rows(file)
    errors: list[dict] = []
    _check_count(rows, errors)
    sites, accounts = Site.objects.for_user(user), Account.objects.for_user(user)
    prepared = []
    for line, row in enumerate(rows, start=2):
        target = None
        if (row.get("site") or "").strip():
            target = _lookup(sites, row["site"], "site", errors, line)
        elif (row.get("account") or "").strip():
            target = _lookup(accounts, row["account"], "account", errors, line)
        else:
            errors.append({"line": line, "field": "site", "error": "请填写 site（网站编号）或 account（账号编号）。"})
        if target is not None and not selectors.can_reply(user, target.owner_id):
            errors.append({"line": line, "field": "site", "error": "您不能为该网站或账号登记留言。"})
        received_at = _moment(row.get("received_at"))
        if received_at is None:
            errors.append({"line": line, "field": "received_at", "error": "收到时间格式应为 YYYY-MM-DD HH:MM。"})
        if not (row.get("content") or "").strip():
            errors.append({"line": line, "field": "content", "error": "留言内容不能为空。"})
        prepared.append((line, target, received_at, row))
    if errors:
        return {"created": 0, "skipped": 0, "errors": errors}

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
    errors = []
    with transaction.atomic():
        for line, target, received_at, row in prepared:
            if (row.get("external_id") or "").strip() and existing(target, row).exists():
                skipped += 1
                continue
            try:
                create(target, received_at, row)
            except ValidationError as exc:
                for field, messages in getattr(exc, "message_dict", {"file": exc.messages}).items():
                    errors.append({"line": line, "field": field, "error": "；".join(messages)})
            else:
                created += 1
        if errors:
            transaction.set_rollback(True)
            return {"created": 0, "skipped": 0, "errors": errors}
    return {"created": created, "skipped": skipped, "errors": []}
