"""The column set of a report, defined once: the report page, the xlsx and the PDF all read their tables from here,
so a heading and its figure never differ between them (issue 11: the page showed 上期名次 where the documents showed
上期得分).

A column is a heading, the value it takes from a row of the report, and its kind. The value stays a number
(scores and changes to one decimal through govmedia.core.formatting); only the kind says how a page writes it
("+1.8", "97.5%"), and the xlsx stores the number itself with a matching number format.

What a person reads (summary, unit ranking, failing subjects and their reasons) is in every document; the full
per-subject detail (every site, account and finding) is in the xlsx only (`detail=True`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from govmedia.core.formatting import change_value, one_decimal, signed, week_labels
from rules.models import ItemKind, SubjectType

VERDICT = {"pass": "合格", "fail": "不合格"}
STATUS = {"open": "待整改", "rectified": "已整改", "overdue": "逾期未整改"}
SEVERITY = dict(ItemKind.choices)
SUBJECT = dict(SubjectType.choices)

# What the page and the PDF say about where the rest is.
DETAIL_NOTE = "本报告列出汇总、单位排名和不合格的网站、账号及原因；每个网站、账号的全部数字和问题清单见 Excel 文件。"

# Kinds: how a value reads on a page and which number format the xlsx gives it.
TEXT, COUNT, SCORE, CHANGE, PERCENT = "text", "count", "score", "change", "percent"
# (A score needs none: 97.5 and 98 read as they are; a format per cell costs a styled cell in a streamed sheet.)
NUMBER_FORMATS = {CHANGE: "+0.0;-0.0;0", PERCENT: "0.0%"}


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict], object]
    kind: str = TEXT
    key: str = ""  # names a column the page links (the unit, the subject)


def shown(value, kind: str) -> str:
    """A value as the page writes it (the documents store the number; this is only its reading)."""
    if value is None or value == "":
        return "—" if kind != TEXT else ""
    if kind == CHANGE:
        return signed(value)
    if kind == PERCENT:
        return f"{value * 100:.1f}%"
    if kind == SCORE:
        return f"{value:.1f}".removesuffix(".0") if isinstance(value, float) else str(value)
    return str(value)


def _reasons(subject: dict) -> str:
    return "；".join(r["label"] for r in subject.get("vetoes", []))


def _deductions(subject: dict) -> str:
    return "；".join(f"{d['label']}（扣{d['points']:g}分）" for d in subject.get("deductions", []))


SUMMARY_ROWS = [
    ("sites", "网站数"), ("failing_sites", "不合格网站"), ("accounts", "政务新媒体账号数"),
    ("failing_accounts", "不合格账号"), ("average_score", "平均得分"), ("site_updates", "网站栏目更新条数"),
    ("account_updates", "账号更新条数"), ("account_originals", "账号原创条数"), ("messages_received", "收到留言"),
    ("messages_on_time", "按时答复留言"), ("error_reports_received", "收到找错"), ("error_reports_on_time", "按时答复找错"),
    ("broken_links_found", "新发现错链"), ("findings_opened", "新发现问题"), ("findings_rectified", "本期整改问题"),
    ("findings_overdue", "本期逾期未整改"), ("findings_unresolved", "期末未整改问题"),
]
SUMMARY_COLUMNS = [
    Column("指标", lambda r: r["label"]),
    Column("本期", lambda r: one_decimal(r["now"]), SCORE),
    Column("上期", lambda r: one_decimal(r["before"]), SCORE),
    Column("变化", lambda r: r["change"], CHANGE),
]

UNIT_COLUMNS = [
    Column("名次", lambda u: u["rank"], COUNT),
    Column("单位", lambda u: u["organisation_name"], key="organisation"),
    Column("网站", lambda u: u["sites"], COUNT),
    Column("账号", lambda u: u["accounts"], COUNT),
    Column("不合格网站", lambda u: u["failing_sites"], COUNT),
    Column("不合格账号", lambda u: u["failing_accounts"], COUNT),
    Column("平均得分", lambda u: one_decimal(u["average_score"]), SCORE),
    Column("上期得分", lambda u: one_decimal(u.get("previous_average_score")), SCORE),
    Column("得分变化", lambda u: change_value(u["average_score"], u.get("previous_average_score")), CHANGE),
    Column("新发现问题", lambda u: u["findings_opened"], COUNT),
    Column("已整改", lambda u: u["findings_rectified"], COUNT),
    Column("逾期未整改", lambda u: u["findings_overdue"], COUNT),
    Column("期末未整改", lambda u: u["findings_unresolved"], COUNT),
]

FAILING_COLUMNS = [
    Column("单位", lambda x: x["organisation_name"]),
    Column("类型", lambda x: "账号" if "platform" in x else "网站"),
    Column("名称", lambda x: x["name"], key="subject"),
    Column("不合格原因", _reasons),
    Column("扣分项", _deductions),
    Column("得分", lambda x: one_decimal(x["score"]), SCORE),
]

SITE_COLUMNS = [
    Column("单位", lambda s: s["organisation_name"]),
    Column("网站", lambda s: s["name"]),
    Column("结论", lambda s: VERDICT[s["verdict"]]),
    Column("否决项", _reasons),
    Column("扣分项", _deductions),
    Column("得分", lambda s: one_decimal(s["score"]), SCORE),
    Column("得分变化", lambda s: one_decimal(s.get("score_change")), CHANGE),
    Column("栏目更新", lambda s: s["figures"]["updates"], COUNT),
    Column("栏目数", lambda s: s["figures"]["columns"], COUNT),
    Column("不更新栏目", lambda s: s["figures"]["stale_columns"], COUNT),
    Column("空白栏目", lambda s: s["figures"]["blank_columns"], COUNT),
    Column("可用率", lambda s: s["figures"]["availability"], PERCENT),
    Column("监测次数", lambda s: s["figures"]["probes"], COUNT),
    Column("新错链", lambda s: s["figures"]["broken_links_found"], COUNT),
    Column("未修复错链", lambda s: s["figures"]["broken_links_open"], COUNT),
    Column("留言", lambda s: s["figures"]["messages_received"], COUNT),
    Column("按时答复", lambda s: s["figures"]["messages_on_time"], COUNT),
    Column("逾期答复", lambda s: s["figures"]["messages_late"], COUNT),
    Column("逾期未答复", lambda s: s["figures"]["messages_overdue"], COUNT),
    Column("找错", lambda s: s["figures"]["error_reports_received"], COUNT),
    Column("找错按时答复", lambda s: s["figures"]["error_reports_on_time"], COUNT),
    Column("新问题", lambda s: s["findings_opened"], COUNT),
    Column("已整改", lambda s: s["findings_rectified"], COUNT),
    Column("逾期未整改", lambda s: s["findings_overdue"], COUNT),
]

ACCOUNT_COLUMNS = [
    Column("单位", lambda a: a["organisation_name"]),
    Column("账号", lambda a: a["name"]),
    Column("平台", lambda a: a["platform_label"]),
    Column("结论", lambda a: VERDICT[a["verdict"]]),
    Column("否决项", _reasons),
    Column("扣分项", _deductions),
    Column("得分", lambda a: one_decimal(a["score"]), SCORE),
    Column("得分变化", lambda a: one_decimal(a.get("score_change")), CHANGE),
    Column("更新条数", lambda a: a["figures"]["updates"], COUNT),
    Column("更新天数", lambda a: a["figures"]["update_days"], COUNT),
    Column("原创条数", lambda a: a["figures"]["originals"], COUNT),
    Column("最长未更新（天）", lambda a: a["figures"]["longest_gap_days"], COUNT),
    Column("最长无原创（天）", lambda a: a["figures"]["longest_original_gap_days"], COUNT),
    Column("无更新的自然周", lambda a: week_labels(a["figures"]["weeks_without_update"])),
    Column("留言", lambda a: a["figures"]["messages_received"], COUNT),
    Column("按时答复", lambda a: a["figures"]["messages_on_time"], COUNT),
    Column("逾期答复", lambda a: a["figures"]["messages_late"], COUNT),
    Column("逾期未答复", lambda a: a["figures"]["messages_overdue"], COUNT),
    Column("新问题", lambda a: a["findings_opened"], COUNT),
    Column("已整改", lambda a: a["findings_rectified"], COUNT),
    Column("逾期未整改", lambda a: a["findings_overdue"], COUNT),
]

FINDING_COLUMNS = [
    Column("编号", lambda f: f["id"], COUNT),
    Column("单位", lambda f: f["organisation_name"]),
    Column("对象", lambda f: SUBJECT.get(f["subject_type"], f["subject_type"])),
    Column("名称", lambda f: f["subject_name"]),
    Column("问题", lambda f: f["rule_label"]),
    Column("严重程度", lambda f: SEVERITY.get(f["severity"], f["severity"])),
    Column("发现日期", lambda f: f["found_on"]),
    Column("整改期限", lambda f: f["due_on"]),
    Column("整改日期", lambda f: f["rectified_on"] or ""),
    Column("期末状态", lambda f: STATUS.get(f["status"], f["status"])),
]


@dataclass
class Table:
    """One table of a report: its title, columns and source rows (an iterable, read once when streamed)."""

    title: str
    columns: list[Column]
    source: Iterable[dict]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def rows(self) -> Iterator[list]:
        """The values of each row, numbers as numbers (for the xlsx and the PDF)."""
        for item in self.source:
            yield [c.value(item) for c in self.columns]

    def shown_rows(self) -> Iterator[list[str]]:
        """The values of each row as a reader reads them (the page and the PDF): +1.8, 97.5%, —."""
        for item in self.source:
            yield [shown(c.value(item), c.kind) for c in self.columns]

    def page_rows(self) -> Iterator[dict]:
        """Each row as the page shows it: the item (for links) and its cells as (column, text)."""
        for item in self.source:
            yield {"item": item, "cells": [(c, shown(c.value(item), c.kind)) for c in self.columns]}


def summary_items(report: dict) -> list[dict]:
    totals = report["totals"]
    before = (report.get("previous") or {}).get("totals", {})
    change = report.get("change") or {}
    return [{"key": key, "label": label, "now": totals.get(key), "before": before.get(key),
             "change": one_decimal(change[key]) if change.get(key) is not None
             else change_value(totals.get(key), before.get(key))}
            for key, label in SUMMARY_ROWS]


def failing_items(report: dict) -> list[dict]:
    """The failing sites, then the failing accounts (the report's own rows, not copies)."""
    return [x for kind in ("sites", "accounts") for x in report[kind] if x["verdict"] == "fail"]


def meta_rows(report: dict) -> list[list[str]]:
    period, version = report["period"], report.get("checklist_version")
    return [
        ["单位", report["organisation"]["name"]],
        ["期间", f"{period['label']}（{period['start']} 至 {period['end']}）"],
        ["统计截至", period["as_of"] + ("" if period["complete"] else "（本期尚未结束）")],
        ["检查指标版本", f"{version['name']}（{version['year']}）" if version else "未配置，按默认阈值"],
    ]


def report_tables(report: dict, *, detail: bool) -> list[Table]:
    """The tables of a report in order. `detail` adds every site, account and finding (the xlsx); without it,
    what a person reads (the page and the PDF)."""
    tables = [
        Table("汇总", SUMMARY_COLUMNS, summary_items(report)),
        Table("单位排名", UNIT_COLUMNS, report["units"]),
        Table("不合格网站与账号", FAILING_COLUMNS, failing_items(report)),
    ]
    if detail:
        tables += [
            Table("网站", SITE_COLUMNS, report["sites"]),
            Table("账号", ACCOUNT_COLUMNS, report["accounts"]),
            Table("问题与整改", FINDING_COLUMNS, report["findings"]),
        ]
    return tables
