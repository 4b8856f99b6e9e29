"""Importing a platform's export of an account's posts (csv): every row is checked first; all or nothing.

Platforms name their columns differently (微信公众平台 "发表时间", 微博 "发布时间", 抖音 "发布日期" ...), files
come as UTF-8 (with or without BOM) or GBK from Excel, or as the xlsx itself: reading them is core's
(govmedia.core.imports); the columns and the checks of a row are this module's.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.services import account_add_update
from govmedia.core.imports import ImportReport, UnreadableFile, read_table

MAX_ROWS = 20000

HEADERS = {
    "published_at": ["发布时间", "发表时间", "发布日期", "发表日期", "时间", "日期", "推送时间", "群发时间",
                     "published_at", "publish_time", "pubdate", "date", "time"],
    "title": ["标题", "文章标题", "内容标题", "作品标题", "视频标题", "微博正文", "正文", "内容", "作品名称", "title"],
    "url": ["链接", "文章链接", "原文链接", "作品链接", "视频链接", "微博链接", "地址", "网址", "url", "link"],
    "original": ["是否原创", "原创", "原创标识", "原创声明", "内容类型", "类型", "来源类型", "original", "is_original"],
}
LABELS = {"published_at": "发布时间", "title": "标题", "url": "链接", "original": "是否原创"}
TRUE_WORDS = {"是", "原创", "true", "yes", "y", "1", "已声明原创", "原创内容"}
FALSE_WORDS = {"否", "转载", "非原创", "false", "no", "n", "0", "分享", "转发"}
DATE_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d",
    "%Y.%m.%d %H:%M", "%Y.%m.%d", "%Y%m%d",
]
CN_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?秒?)?$")


@dataclass
class UpdateImportReport(ImportReport):
    rows: int = 0
    created: int = 0
    duplicates: int = 0

    @property
    def errors(self) -> list[dict]:
        """{"row": n, "errors": [...]} for each refused row; n counts the header as row 1."""
        return self.by_row()

    def as_dict(self) -> dict:
        data = {"rows": self.rows, "created": self.created, "duplicates": self.duplicates, "imported": self.ok}
        if self.file_errors:
            data["file"] = self.file_errors
        if self.errors:
            data["row_errors"] = self.errors
        return data


def _normalise(header: str) -> str:
    return re.sub(r"[\s_（）()*:：]", "", (header or "").strip().lower())


def parse_time(value: str) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    match = CN_DATE.match(value)
    if match:
        y, m, d, hh, mm, ss = (int(x) if x else 0 for x in match.groups())
        try:
            naive = dt.datetime(y, m, d, hh, mm, ss)
        except ValueError:
            return None
        return timezone.make_aware(naive)
    try:
        parsed = dt.datetime.fromisoformat(value)
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return timezone.make_aware(dt.datetime.strptime(value, fmt))
        except ValueError:
            continue
    return None


def parse_original(value: str) -> bool | None:
    word = (value or "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    normalised = [_normalise(h) for h in header]
    found, missing = {}, []
    for key, variants in HEADERS.items():
        for variant in variants:
            target = _normalise(variant)
            if target in normalised:
                found[key] = normalised.index(target)
                break
        else:
            if key != "url":  # a link is welcome but some exports have none
                missing.append(LABELS[key])
    return found, missing


def import_account_updates(*, account, upload) -> UpdateImportReport:
    """Check every row; record them all through `account_add_update` only if none is refused."""
    report = UpdateImportReport()
    try:
        table = read_table(upload, max_rows=MAX_ROWS, delimiters=",\t;")
    except UnreadableFile as exc:
        report.refuse_file(exc.reason)
        return report
    if not table.header:
        report.refuse_file("文件为空。")
        return report
    columns, missing = _columns(table.header)
    if missing:
        report.refuse_file(
            f"缺少列：{'、'.join(missing)}。需要的列为 发布时间、标题、链接、是否原创（可用常见的同义列名）。"
        )
        return report
    today = timezone.localdate()
    parsed = []
    report.rows = len(table.rows)
    for row in table.rows:
        cell = {key: row.get(columns.get(key)) for key in HEADERS}  # a missing column reads as ""
        problems = []
        published_at = parse_time(cell["published_at"])
        if published_at is None:
            problems.append(f"发布时间“{cell['published_at']}”无法识别（例：2024-10-08 09:30）。")
        elif timezone.localtime(published_at).date() > today:
            problems.append("发布时间晚于今天。")
        title = cell["title"]
        if not title:
            problems.append("标题为空。")
        url = cell["url"]
        if url and not re.match(r"^https?://", url):
            problems.append(f"链接“{url[:60]}”不是 http(s) 地址。")
        original = parse_original(cell["original"])
        if original is None:
            problems.append(f"是否原创“{cell['original']}”无法识别（填 是/否 或 原创/转载）。")
        if problems:
            for problem in problems:
                report.refuse_row(row.number, problem)
            continue
        # The same post imported twice is recorded once: its link, else its time and title, identifies it.
        key = url or f"{published_at.isoformat()}|{title}"
        external_id = "import:" + hashlib.sha1(key.encode()).hexdigest()
        parsed.append(dict(published_at=published_at, title=title, url=url[:1000], original=original,
                           external_id=external_id))
    if not table.rows:
        report.refuse_file("文件中没有数据行。")
    if not report.ok:
        return report
    with transaction.atomic():
        for item in parsed:
            _, created = account_add_update(account=account, source="import", **item)
            if created:
                report.created += 1
            else:
                report.duplicates += 1
    return report
