"""The unit's monthly self-inspection (自查): the indicators of qingdao 附件2 as a form, prefilled from what the
application already knows for the month (the unit's monthly report, its accounts, its reviewed posts)."""
from __future__ import annotations

from dataclasses import dataclass

from django import forms

from accounts.models import LIVE_STATUSES, Account
from publishing.models import Post
from rules import definitions

from reports.figures import build_report
from reports.periods import Period

CONFORMS, FAILS, NOT_APPLICABLE = "yes", "no", "na"
RESULT_CHOICES = [(CONFORMS, "符合"), (FAILS, "不符合"), (NOT_APPLICABLE, "不适用")]


@dataclass(frozen=True)
class Indicator:
    code: str
    section: str
    text: str


# qingdao 附件2 四、日常监管指标, in the official order.
INDICATORS = [
    Indicator("security_expression", "（一）安全方面", "无严重表述错误"),
    Indicator("security_secrets", "（一）安全方面", "无泄露国家秘密"),
    Indicator("security_harmful", "（一）安全方面", "无发布或链接反动、暴力、色情等内容"),
    Indicator("security_opinion", "（一）安全方面", "无因发布内容不当引发严重负面舆情"),
    Indicator("security_register", "（一）安全方面", "建立信息审核发布制度，有信息审核发布登记台账"),
    Indicator("content_weekly", "（二）内容方面", "信息内容每周更新"),
    Indicator("content_links", "（二）内容方面", "无错误字符或不可用链接地址"),
    Indicator("content_ads", "（二）内容方面", "无刊登商业广告或链接商业广告页面"),
    Indicator("content_dormant", "（二）内容方面", "账号访问和使用正常，无“僵尸”、“睡眠”情况"),
    Indicator("interaction_function", "（三）互动回应方面", "提供有效互动功能"),
    Indicator("interaction_fake", "（三）互动回应方面", "无购买“粉丝”、强制要求群众点赞等弄虚作假行为"),
    Indicator("oversight_monthly", "（四）考核监管方面", "每月开展政务新媒体自查并留存检查结果"),
    Indicator("oversight_filed", "（四）考核监管方面", "单位本级政务新媒体纳入省政务新媒体备案系统"),
    Indicator("oversight_appraisal", "（四）考核监管方面", "政务新媒体工作纳入本单位年度绩效考核"),
    Indicator("oversight_rectified", "（四）考核监管方面", "国家省市区各级检查发现的问题，1周内整改完毕"),
    Indicator("oversight_closed", "（四）考核监管方面", "不符合开设条件的政务新媒体，按要求注销关停"),
    Indicator("innovation_coverage", "（五）创新方面", "优秀经验做法或稿件信息被省、市以上媒体宣传报道或转载"),
    Indicator("innovation_platform", "（五）创新方面", "公开、办事、互动等功能与区级融媒体平台对接，提供内容、延伸发布取得较好效果"),
]
INDICATOR_CODES = [i.code for i in INDICATORS]
CLOSE_RULES = ("internal_owner", "duplicate_platform", "repeat_notified")


def _names(rows) -> str:
    return "、".join(r["name"] for r in rows[:10]) + ("等" if len(rows) > 10 else "")


def prefill(organisation, period: Period, user=None) -> dict:
    """{"indicators": {code: {"result", "note", "known"}}, "own_accounts", "sub_accounts"} for the unit's month.

    `known` marks a result the application derived from its own data; the others are for the unit to answer.
    """
    report = build_report(organisation, period, user=user)
    own = [a for a in report["accounts"] if a["organisation"] == organisation.pk]
    findings = report["findings"]
    result: dict[str, dict] = {}

    def known(code, ok: bool, note: str):
        result[code] = {"result": CONFORMS if ok else FAILS, "note": note, "known": True}

    errors = sum(s["figures"]["error_reports_received"] for s in report["sites"])
    result["security_expression"] = {"result": "", "known": False,
                                     "note": f"本月收到网民找错 {errors} 条。" if errors else ""}
    reviewed = Post.objects.filter(organisation=organisation).published_between(period.start, period.end).count()
    if reviewed:
        known("security_register", True, f"本月经三审三校发布 {reviewed} 篇，审核发布登记台账由系统留存。")
    else:
        result["security_register"] = {"result": "", "known": False, "note": "本月本平台无发布记录，请说明台账情况。"}
    missed = [a for a in report["accounts"] if a["figures"]["weeks_without_update"]]
    known("content_weekly", not missed, f"有自然周未更新：{_names(missed)}" if missed else "所有账号每周均有更新。")
    broken = [s for s in report["sites"] if s["figures"]["broken_links_open"]]
    if report["sites"]:
        known("content_links", not broken, f"存在未修复错链：{_names(broken)}" if broken else "未发现未修复的错链。")
    dormant = [a for a in report["accounts"] if any(v["rule"] == "account_stale" for v in a["vetoes"])]
    days = definitions.default_thresholds("account_stale")["days"]
    known("content_dormant", not dormant, f"超过{days}天未更新：{_names(dormant)}" if dormant else f"无超过{days}天未更新的账号。")
    mute = [a for a in report["accounts"] if not a["figures"]["has_interaction"]]
    known("interaction_function", not mute, f"未提供互动功能：{_names(mute)}" if mute else "所有账号均提供互动功能。")
    unfiled = list(
        Account.objects.filter(owner=organisation, status__in=LIVE_STATUSES, national_reference="").values("name")
    )
    known("oversight_filed", not unfiled, f"未录入全国政务新媒体信息报送系统编号：{_names(unfiled)}" if unfiled else "本级账号均已备案。")
    overdue = [f for f in findings if f["overdue_in_period"]]
    known("oversight_rectified", not overdue,
          f"{len(overdue)} 个问题逾期未整改。" if overdue else "本月问题均在 1 周内整改或未到期。")
    to_close = [f for f in findings if f["rule"] in CLOSE_RULES and f["status"] != "rectified"]
    known("oversight_closed", not to_close,
          "须注销关停或整改：" + "、".join(sorted({f["subject_name"] for f in to_close})) if to_close else "无不符合开设条件的账号。")
    for code in INDICATOR_CODES:
        result.setdefault(code, {"result": "", "note": "", "known": False})
    return {
        "indicators": result,
        "own_accounts": [{"name": a["name"], "type": a["platform_label"]} for a in own],
        "sub_accounts": [{"name": a["name"], "type": a["platform_label"], "unit": a["organisation_name"]}
                         for a in report["accounts"] if a["organisation"] != organisation.pk],
        "report_period": report["period"],
    }


class SelfInspectionForm(forms.Form):
    """One result and one note per indicator, and the three people who sign (附件2 五、责任人)."""

    leader = forms.CharField(label="单位分管负责人", max_length=60)
    leader_phone = forms.CharField(label="分管负责人联系电话", max_length=40, required=False)
    section_head = forms.CharField(label="科室负责人", max_length=60, required=False)
    section_head_phone = forms.CharField(label="科室负责人联系电话", max_length=40, required=False)
    keeper = forms.CharField(label="账号具体责任人", max_length=60)
    keeper_phone = forms.CharField(label="具体责任人联系电话", max_length=40, required=False)

    def __init__(self, *args, indicators: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        indicators = indicators or {}
        for item in INDICATORS:
            known = indicators.get(item.code, {})
            self.fields[f"{item.code}__result"] = forms.ChoiceField(
                label=item.text, choices=RESULT_CHOICES, widget=forms.RadioSelect,
                initial=known.get("result") or None,
            )
            self.fields[f"{item.code}__note"] = forms.CharField(
                label="说明", required=False, max_length=500, initial=known.get("note", ""),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        data = super().clean()
        for item in INDICATORS:
            if data.get(f"{item.code}__result") == FAILS and not (data.get(f"{item.code}__note") or "").strip():
                self.add_error(f"{item.code}__note", "选择“不符合”时请说明问题及整改措施。")
        return data

    def sections(self):
        """The indicator fields grouped by section, for the template."""
        grouped: dict[str, list] = {}
        for item in INDICATORS:
            grouped.setdefault(item.section, []).append((item, self[f"{item.code}__result"], self[f"{item.code}__note"]))
        return list(grouped.items())

    def answers(self) -> dict:
        return {item.code: {"result": self.cleaned_data[f"{item.code}__result"],
                            "note": self.cleaned_data[f"{item.code}__note"]} for item in INDICATORS}

    def signers(self) -> dict:
        keys = ("leader", "leader_phone", "section_head", "section_head_phone", "keeper", "keeper_phone")
        return {k: self.cleaned_data[k] for k in keys}
