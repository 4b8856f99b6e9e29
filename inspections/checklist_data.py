"""The national checklist (国办秘函〔2019〕19号) with SPEC's rule thresholds: what migration 0002 loads, and what
is loaded again should the table ever hold no national version (a database flushed by tests, an office that
deleted it by mistake), so that inspections always have thresholds."""

NATIONAL_YEAR = 2019
NATIONAL_NAME = "政府网站与政务新媒体检查指标（全国）"
NATIONAL_SOURCE = "国务院办公厅秘书局 国办秘函〔2019〕19号；本地规定见各条依据"

COLUMN_PERIODS = {
    "news": {"days": 14},
    "notice": {"months": 6},
    "policy": {"months": 6},
    "monthly": {"months": 1},
    "quarterly": {"months": 3},
    "annual": {"months": 12},
    "other": {"months": 12},
}

# (code, name, kind, thresholds, points, source)
ITEMS = [
    ("site_unreachable", "站点无法访问", "veto",
     {"window_days": 7, "min_probes_per_day": 20, "timeout_seconds": 15, "max_failure_share": 0.05}, 0, "国办秘函〔2019〕19号 单项否决"),
    ("homepage_stale", "首页不更新", "veto", {"days": 14}, 0, "国办秘函〔2019〕19号 单项否决"),
    ("site_columns_veto", "栏目不更新", "veto",
     {"key_categories": ["news", "notice", "policy"], "key_stale": 5, "any_stale": 10, "blank": 5}, 0,
     "国办秘函〔2019〕19号 单项否决"),
    ("site_interaction_veto", "互动回应差（网站）", "veto", {"unanswered_months": 3, "lookback_months": 12}, 0,
     "国办秘函〔2019〕19号 单项否决"),
    ("account_stale", "内容不更新（账号）", "veto", {"days": 14}, 0, "国办秘函〔2019〕19号 单项否决；安岳 §22(六)"),
    ("account_no_interaction", "互动回应差（账号）", "veto", {}, 0, "国办秘函〔2019〕19号 单项否决"),
    ("column_stale", "栏目更新不及时", "deduction", {"periods": COLUMN_PERIODS}, 2, "安岳 §22(一)–(四)"),
    ("column_blank", "空白栏目", "deduction", {}, 2, "安岳 §22(五)"),
    ("account_weekly", "账号每周至少更新一次", "deduction", {"updates_per_week": 1}, 2, "青岛 §10；通辽 §11"),
    ("account_original", "账号每两周至少一条原创", "deduction", {"days": 14}, 2, "青岛 §11"),
    ("error_report_late", "找错 1 个工作日内答复", "deduction", {"workdays": 1}, 2, "济南 §16"),
    ("message_late", "留言按时答复", "deduction", {"default_workdays": 5}, 2, "济南 §16；安岳 §25"),
    ("disclosure_late", "主动公开信息 20 个工作日内公开", "deduction", {"workdays": 20}, 2, "安岳 §13"),
    ("duplicate_platform", "同一平台只开设一个账号", "deduction", {"max_live": 1}, 5, "济南 §10；青岛 §5；安岳 §8；通辽 §7"),
    ("internal_owner", "内设机构或个人不得开设", "deduction", {}, 5, "青岛 §5；安岳 §10"),
    ("repeat_notified", "被省级通报 3 次及以上须关停", "veto", {"notices": 3}, 0, "安岳 §9"),
    ("filing_late", "开设、变更 7 个工作日内备案", "warning", {"workdays": 7}, 0, "青岛 §6、附件1"),
    ("backfill_late", "既有账号 20 个工作日内补办备案", "warning", {"workdays": 20}, 0, "青岛 §19"),
    ("closure_notice_short", "关停公示不少于 15 个工作日", "warning", {"workdays": 15}, 0, "青岛 §7"),
    ("credential_rotation", "定期更换密码；人员调离即更换", "warning", {"days": 90}, 0, "济南 §18；安岳 §30"),
    ("rectification_overdue", "问题 7 日内整改", "warning", {"days": 7}, 0, "青岛 附件2"),
]
