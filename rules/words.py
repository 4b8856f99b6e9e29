"""A checklist item's thresholds in words (Chinese), as the checklist page, its forms and error messages show them:
"14 天内至少更新 1 次", never `{'days': 14}` or a code."""
from __future__ import annotations

from .definitions import default_thresholds

# The column categories of sites.models (rules sits below sites, so the words are kept here for the rules).
CATEGORY_WORDS = {
    "news": "动态要闻", "notice": "通知公告", "policy": "政策文件", "monthly": "月度", "quarterly": "季度",
    "annual": "年度", "other": "其他",
}

KEY_WORDS = {
    "days": "天数", "workdays": "工作日", "months": "月数", "updates_per_week": "每周更新次数", "notices": "通报次数",
    "max_live": "账号数", "warn_days": "提前提醒天数", "effective_on": "施行日期", "default_workdays": "默认工作日",
}


def period(value: dict) -> str:
    if "months" in value:
        return f"{value['months']} 个月"
    return f"{value['days']} 天"


def _share(value) -> str:
    return f"{float(value) * 100:g}%"


def _describe(code: str, t: dict) -> str | None:
    match code:
        case "account_stale":
            return f"{t['days']} 天内至少更新 1 次"
        case "homepage_stale":
            return f"首页 {t['days']} 天内至少更新 1 次"
        case "account_original":
            return f"{t['days']} 天内至少发布 1 条原创信息"
        case "account_weekly":
            return f"每个自然周至少更新 {t['updates_per_week']} 次"
        case "column_stale":
            parts = [f"{CATEGORY_WORDS.get(c, c)} {period(p)}" for c, p in t["periods"].items()]
            return "更新间隔不超过：" + "，".join(parts)
        case "column_blank":
            return "栏目不得空白（空白栏目视为应更新而未更新）"
        case "site_unreachable":
            return (f"近 {t['window_days']} 天每天至少探测 {t['min_probes_per_day']} 次，失败或超过 {t['timeout_seconds']} 秒"
                    f"的比例达 {_share(t['max_failure_share'])} 即否决")
        case "site_columns_veto":
            keys = "、".join(CATEGORY_WORDS.get(c, c) for c in t["key_categories"])
            return (f"{keys}类栏目不更新达 {t['key_stale']} 个，或任意栏目不更新达 {t['any_stale']} 个，"
                    f"或空白栏目达 {t['blank']} 个即否决")
        case "site_interaction_veto":
            return f"近 {t['lookback_months']} 个月内的有效留言须在 {t['unanswered_months']} 个月内答复"
        case "account_no_interaction":
            return "须提供有效的互动功能"
        case "error_report_late":
            return f"收到后 {t['workdays']} 个工作日内答复"
        case "message_late":
            return f"收到后 {t['default_workdays']} 个工作日内答复（单位可另设时限）"
        case "disclosure_late":
            return f"形成或变更之日起 {t['workdays']} 个工作日内公开"
        case "duplicate_platform":
            return f"同一平台最多 {t['max_live']} 个在运行账号"
        case "internal_owner":
            return "不得以内设机构或个人名义开设"
        case "repeat_notified":
            return f"被省级通报达 {t['notices']} 次须关停"
        case "filing_late":
            return f"开设、变更后 {t['workdays']} 个工作日内备案"
        case "backfill_late":
            since = f"（{t['effective_on']}）" if t.get("effective_on") else ""
            return f"规定施行{since}后 {t['workdays']} 个工作日内补办备案"
        case "closure_notice_short":
            return f"关停公告满 {t['workdays']} 个工作日后方可注销"
        case "credential_rotation":
            return f"{t['days']} 天内至少更换 1 次密码，人员调离即更换"
        case "rectification_overdue":
            return f"发现后 {t['days']} 天内整改"
    return None


def describe(code: str, thresholds: dict | None) -> str:
    """The thresholds of an item of `code` in words (the definition's defaults fill what the item does not name)."""
    values = {**default_thresholds(code), **(thresholds or {})}
    try:
        text = _describe(code, values)
    except (KeyError, TypeError, ValueError):
        text = None
    if text is not None:
        return text
    if not values:
        return "发现即为问题"
    return "；".join(f"{KEY_WORDS.get(k, k)} {v}" for k, v in values.items())


# The one number a page form edits for each rule (its other thresholds are OTHER_THRESHOLDS' labelled fields),
# with the unit the form labels it with.
PRIMARY_KEY: dict[str, tuple[str, str]] = {
    "account_stale": ("days", "天"), "homepage_stale": ("days", "天"), "account_original": ("days", "天"),
    "account_weekly": ("updates_per_week", "次/周"), "filing_late": ("workdays", "个工作日"),
    "backfill_late": ("workdays", "个工作日"), "closure_notice_short": ("workdays", "个工作日"),
    "rectification_overdue": ("days", "天"), "error_report_late": ("workdays", "个工作日"),
    "message_late": ("default_workdays", "个工作日"), "credential_rotation": ("days", "天"),
    "disclosure_late": ("workdays", "个工作日"), "repeat_notified": ("notices", "次"), "duplicate_platform": ("max_live", "个"),
}


# The thresholds beside PRIMARY_KEY, each a labelled field of the checklist page's item form:
# (code, key, label, unit, kind); kind is "int", "percent" (a share, entered as a percentage), "categories" (column
# categories) or "period" (one column category's period, key "periods.<category>", in days or months).
OTHER_THRESHOLDS: tuple[tuple[str, str, str, str, str], ...] = (
    ("site_unreachable", "window_days", "统计最近天数", "天", "int"),
    ("site_unreachable", "min_probes_per_day", "每天至少探测", "次", "int"),
    ("site_unreachable", "timeout_seconds", "超时时间", "秒", "int"),
    ("site_unreachable", "max_failure_share", "失败比例达到即否决", "%", "percent"),
    ("site_columns_veto", "key_categories", "重点栏目类别", "", "categories"),
    ("site_columns_veto", "key_stale", "重点栏目不更新达", "个", "int"),
    ("site_columns_veto", "any_stale", "任意栏目不更新达", "个", "int"),
    ("site_columns_veto", "blank", "空白栏目达", "个", "int"),
    ("site_interaction_veto", "unanswered_months", "留言答复时限", "个月", "int"),
    ("site_interaction_veto", "lookback_months", "统计最近几个月的留言", "个月", "int"),
    ("site_tls", "warn_days", "证书到期前提醒", "天", "int"),
    *(("column_stale", f"periods.{category}", f"{words}栏目更新周期", "", "period")
      for category, words in CATEGORY_WORDS.items()),
)
