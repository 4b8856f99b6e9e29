"""One definition per rule code (SPEC's rule table and the national checklist's vetoes): the Chinese label
pages show, what the rule judges, its severity, the regulation it cites, and its default thresholds.

The national checklist (checklist_data.py, loaded by migration rules 0002) is built from these, so a
fresh database holds exactly them. The office changes a threshold by adding a checklist version or a
local override, never by editing this table: the thresholds in force are the checklist's, and these
defaults only fill a key an item does not name.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .models import ItemKind, SubjectType


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    subject_type: str
    severity: str
    citation: str
    thresholds: dict = field(default_factory=dict)
    # The item as the national checklist words and scores it (its name differs from the label in places).
    checklist_name: str = ""
    points: float = 0
    # Who judges it: an inspection run's set-based check, or a site scan reading published pages (scanning/).
    judged_by: str = "inspection"

    def threshold(self, key: str):
        return self.thresholds[key]


NATIONAL = "国办秘函〔2019〕19号 单项否决"

COLUMN_PERIODS = {
    "news": {"days": 14},
    "notice": {"months": 6},
    "policy": {"months": 6},
    "monthly": {"months": 1},
    "quarterly": {"months": 3},
    "annual": {"months": 12},
    "other": {"months": 12},
}
KEY_CATEGORIES = ("news", "notice", "policy")

V, D, W = ItemKind.VETO, ItemKind.DEDUCTION, ItemKind.WARNING
SCAN = "scan"
S = SubjectType

# In the national checklist's order (the order its items were first loaded in).
_ALL = [
    Rule("site_unreachable", "站点无法访问", S.SITE, V, NATIONAL,
         {"window_days": 7, "min_probes_per_day": 20, "timeout_seconds": 15, "max_failure_share": 0.05},
         "站点无法访问"),
    Rule("homepage_stale", "首页不更新", S.SITE, V, NATIONAL, {"days": 14}, "首页不更新"),
    Rule("site_columns_veto", "栏目不更新（单项否决）", S.SITE, V, NATIONAL,
         {"key_categories": list(KEY_CATEGORIES), "key_stale": 5, "any_stale": 10, "blank": 5}, "栏目不更新"),
    Rule("site_interaction_veto", "互动回应差（网站）", S.SITE, V, NATIONAL,
         {"unanswered_months": 3, "lookback_months": 12}, "互动回应差（网站）"),
    Rule("account_stale", "账号内容不更新", S.ACCOUNT, V, "国办秘函〔2019〕19号 单项否决；安岳 §22(六)",
         {"days": 14}, "内容不更新（账号）"),
    Rule("account_no_interaction", "互动回应差（账号）", S.ACCOUNT, V, NATIONAL, {}, "互动回应差（账号）"),
    Rule("column_stale", "栏目不更新", S.COLUMN, D, "安岳 §22(一)–(四)", {"periods": COLUMN_PERIODS}, "栏目更新不及时", 2),
    Rule("column_blank", "空白栏目", S.COLUMN, D, "安岳 §22(五)", {}, "空白栏目", 2),
    Rule("account_weekly", "账号每周未更新", S.ACCOUNT, D, "青岛 §10；通辽 §11", {"updates_per_week": 1},
         "账号每周至少更新一次", 2),
    Rule("account_original", "账号两周无原创", S.ACCOUNT, D, "青岛 §11", {"days": 14}, "账号每两周至少一条原创", 2),
    Rule("error_report_late", "找错逾期未答复", S.ERROR_REPORT, D, "济南 §16", {"workdays": 1}, "找错 1 个工作日内答复", 2),
    Rule("message_late", "留言逾期未答复", S.MESSAGE, D, "产品默认 5 个工作日（济南 §16、安岳 §25 要求及时答复，未定时限）",
         {"default_workdays": 5}, "留言按时答复", 2),
    Rule("disclosure_late", "主动公开信息发布逾期", S.POST, D, "安岳 §13", {"workdays": 20},
         "主动公开信息 20 个工作日内公开", 2),
    Rule("duplicate_platform", "同平台重复开设", S.ACCOUNT, D, "济南 §10；青岛 §5；安岳 §8；通辽 §7", {"max_live": 1},
         "同一平台只开设一个账号", 5),
    Rule("internal_owner", "内设机构或个人名义开设", S.ACCOUNT, D, "青岛 §5；安岳 §10", {}, "内设机构或个人不得开设", 5),
    Rule("repeat_notified", "被省级通报3次及以上", S.ACCOUNT, V, "安岳 §9", {"notices": 3}, "被省级通报 3 次及以上须关停"),
    Rule("filing_late", "备案逾期", S.FILING, W, "青岛 §6、附件1", {"workdays": 7}, "开设、变更 7 个工作日内备案"),
    Rule("backfill_late", "未按期补办备案", S.ACCOUNT, W, "青岛 §19", {"workdays": 20}, "既有账号 20 个工作日内补办备案"),
    Rule("closure_notice_short", "关停公示期不足", S.FILING, W, "青岛 §7", {"workdays": 15}, "关停公示不少于 15 个工作日"),
    Rule("credential_rotation", "账号密码未按期更换", S.ACCOUNT, W, "济南 §18；安岳 §30", {"days": 90},
         "定期更换密码；人员调离即更换"),
    Rule("rectification_overdue", "逾期未整改", S.FINDING, W, "青岛 附件2", {"days": 7}, "问题 7 日内整改"),
    # Site scanning (SPEC "Site scanning"): what a site's pages and attachments, or an account's articles, publish.
    Rule("content_sensitive", "发布内容含敏感词或广告用语", S.SITE, D, "济南 §14；安岳 §17、§21；通辽 §8", {},
         "已发布内容不得含敏感、违规或广告内容", 1, judged_by=SCAN),
    Rule("content_pii", "发布内容含个人信息", S.SITE, D, "济南 §14；安岳 §21；个人信息保护法", {},
         "已发布内容及附件不得泄露身份证号、银行卡号等个人信息", 1, judged_by=SCAN),
    Rule("content_correction", "发布内容含易错表述", S.SITE, W, "安岳 §17", {}, "表述规范（纠错表）", judged_by=SCAN),
    Rule("hidden_link", "网页含暗链", S.SITE, D, "暗链：安全检查常见问题", {}, "网页不得含隐藏的外部链接（暗链）", 1, judged_by=SCAN),
    Rule("outbound_link_bad", "外链失效或被劫持", S.SITE, D, "2023 年过期外链域名被抢注为赌博网站案例", {},
         "外部链接有效、未跳转至其他网站", 1, judged_by=SCAN),
    Rule("site_identity_missing", "网站标识缺失", S.SITE, D, "国办秘函〔2019〕19号；通辽 §6", {},
         "首页标注网站标识码、ICP 备案号、公安机关备案号、党政机关网站标识和“我为政府网站找错”入口", 1, judged_by=SCAN),
    Rule("site_domain", "党政机关网站未使用政务域名", S.SITE, D, "互联网政务应用安全管理规定 第五条", {},
         "党政机关网站使用 .gov.cn 或 .政务 域名", 1, judged_by=SCAN),
    Rule("site_tls", "未启用 HTTPS 或证书将过期", S.SITE, D, "互联网政务应用安全管理规定 第十七条", {"warn_days": 30},
         "启用 HTTPS，证书有效", 1, judged_by=SCAN),
]

RULES: dict[str, Rule] = {rule.code: rule for rule in _ALL}
LABELS: dict[str, str] = {rule.code: rule.label for rule in _ALL}
VETO_CODES: tuple[str, ...] = tuple(rule.code for rule in _ALL if rule.severity == ItemKind.VETO)
# Rules a site scan judges (scanning/services.py); every other rule has one inspection check (inspections/checks/).
SCAN_CODES: tuple[str, ...] = tuple(rule.code for rule in _ALL if rule.judged_by == SCAN)

# Which way each veto's thresholds tighten: "lower" (a smaller value is stricter), "higher", or "superset" (a list
# that may only grow). A local version may move a national veto only this way; a key not listed may not change.
TIGHTER: dict[str, dict[str, str]] = {
    "site_unreachable": {"min_probes_per_day": "higher", "timeout_seconds": "lower", "max_failure_share": "lower"},
    "homepage_stale": {"days": "lower"},
    "site_columns_veto": {"key_categories": "superset", "key_stale": "lower", "any_stale": "lower", "blank": "lower"},
    "site_interaction_veto": {"unanswered_months": "lower", "lookback_months": "higher"},
    "account_stale": {"days": "lower"},
    "repeat_notified": {"notices": "lower"},
}


def label(code: str) -> str:
    """The Chinese label of a rule code (the code itself for one no longer defined)."""
    rule = RULES.get(code)
    return rule.label if rule else code


def severity(code: str) -> str:
    return RULES[code].severity


def default_thresholds(code: str) -> dict:
    """The defaults of a code ({} for an unknown one); a copy, so a caller may add to it."""
    rule = RULES.get(code)
    return _copy(rule.thresholds) if rule else {}


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
