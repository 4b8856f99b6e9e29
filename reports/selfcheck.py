"""The unit's monthly self-inspection (自查): the indicators of qingdao 附件2 as a form, prefilled from what the
application already knows for the month (the unit's monthly report, its accounts, its reviewed posts)."""
from __future__ import annotations

from dataclasses import dataclass

from django import forms

from django.utils import timezone

from accounts.models import LIVE_STATUSES, Account
from govmedia.core import documents
from govmedia.core.documents import NAME, NUMBER, PdfColumn
from publishing.models import Post
from rules import thresholds, words

from reports.figures import ReportBuilder
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
LINK_RULES = ("outbound_link_bad", "hidden_link")
# Which rule results answer which indicator. A subject that breaks `account_stale` (no update for longer than the
# staleness period) has necessarily missed a whole natural week too, so it counts against the weekly indicator
# whatever the region's weekly rule says: the two answers cannot contradict each other.
INDICATOR_RULES = {
    "content_weekly": ("account_weekly", "account_stale"),
    "content_dormant": ("account_stale",),
    "interaction_function": ("account_no_interaction",),
    "content_links": LINK_RULES,
    "content_ads": ("content_sensitive",),
    "oversight_rectified": ("rectification_overdue",),
    "oversight_closed": CLOSE_RULES,
}


def _names(rows) -> str:
    return "、".join(r["name"] for r in rows[:10]) + (f"等 {len(rows)} 个" if len(rows) > 10 else "")


def rules_broken(subject: dict) -> set[str]:
    """The rule codes a subject of the report breaks in the month: the inspection's verdicts of the month's last
    day and the findings on it in the month, as the report judged them (its vetoes and deductions)."""
    return {reason["rule"] for reason in (*subject.get("vetoes", []), *subject.get("deductions", []))}


def _items(organisation, on) -> dict:
    try:
        return thresholds.items_for(organisation, on)
    except thresholds.NoChecklist:
        return {}


def prefill(organisation, period: Period, user=None) -> dict:
    """The prefill of the unit's month from its monthly report built now (see `prefill_from`). A page calls it
    only for a unit with nothing under it (one unit's accounts and sites); for a unit with a region under it the
    page reads a stored report or the worker's (reports.services.self_inspection_prefill)."""
    return prefill_from(organisation, period, ReportBuilder(organisation, period, user=user).build(with_previous=False))


def prefill_from(organisation, period: Period, report: dict) -> dict:
    """{"indicators": {code: {"result", "note", "known"}}, "own_accounts", "sub_accounts"} for the unit's month.

    Taken from the rule results of the unit's monthly report (the same verdicts and findings, the same thresholds
    in force for the unit), so the self-inspection never says what the report contradicts; thresholds are written
    in words from the checklist items in force (rules.words), never as a number held here. `known` marks a
    result the application derived from its own data; the others are for the unit to answer.
    """
    items = _items(organisation, period.end)

    def rule_words(code: str) -> str:
        item = items.get(code)
        return words.describe(code, item.thresholds if item else None)

    def in_force(code: str) -> bool:
        return code in items and items[code].enabled

    def breaking(kind: str, codes) -> list[dict]:
        return [x for x in report[kind] if rules_broken(x) & set(codes)]

    own = [a for a in report["accounts"] if a["organisation"] == organisation.pk]
    findings = report["findings"]
    result: dict[str, dict] = {}

    def known(code, ok: bool, note: str):
        result[code] = {"result": CONFORMS if ok else FAILS, "note": note, "known": True,
                        "rules": list(INDICATOR_RULES.get(code, ()))}

    def unknown(code, note: str = ""):
        result[code] = {"result": "", "note": note, "known": False}

    errors = sum(s["figures"]["error_reports_received"] for s in report["sites"])
    unknown("security_expression", f"本月收到网民找错 {errors} 条。" if errors else "")
    reviewed = Post.objects.filter(organisation=organisation).published_between(period.start, period.end).count()
    if reviewed:
        known("security_register", True, f"本月经三审三校发布 {reviewed} 篇，审核发布登记台账由系统留存。")
    else:
        unknown("security_register", "本月本平台无发布记录，请说明台账情况。")

    weekly = rule_words("account_weekly")
    missed = breaking("accounts", INDICATOR_RULES["content_weekly"])
    if missed:
        known("content_weekly", False, f"未做到“{weekly}”：{_names(missed)}。")
    elif in_force("account_weekly"):
        known("content_weekly", True, f"所有账号均做到“{weekly}”。")
    elif report["accounts"]:
        unknown("content_weekly", f"本地区检查指标未含“{weekly}”，请自行核对。")

    stale = rule_words("account_stale")
    dormant = breaking("accounts", INDICATOR_RULES["content_dormant"])
    known("content_dormant", not dormant,
          f"未做到“{stale}”：{_names(dormant)}。" if dormant else f"所有账号均做到“{stale}”。")

    mute = breaking("accounts", INDICATOR_RULES["interaction_function"])
    known("interaction_function", not mute,
          f"未提供有效互动功能：{_names(mute)}。" if mute else "所有账号均提供有效互动功能。")

    if report["sites"]:
        broken = [s for s in report["sites"]
                  if s["figures"]["broken_links_open"] or rules_broken(s) & set(LINK_RULES)]
        known("content_links", not broken,
              f"存在未修复的错误或失效链接：{_names(broken)}。" if broken else "未发现未修复的错误或失效链接。")
    ads = breaking("sites", INDICATOR_RULES["content_ads"])
    if ads:
        known("content_ads", False, f"网站扫描发现敏感或广告用语：{_names(ads)}。")

    unfiled = list(
        Account.objects.filter(owner=organisation, status__in=LIVE_STATUSES, national_reference="").values("name")
    )
    known("oversight_filed", not unfiled,
          f"未录入全国政务新媒体信息报送系统编号：{_names(unfiled)}。" if unfiled else "本级账号均已备案。")
    rectify = rule_words("rectification_overdue")
    overdue = [f for f in findings if f["overdue_in_period"]]
    known("oversight_rectified", not overdue,
          f"{len(overdue)} 个问题未做到“{rectify}”。" if overdue else f"本月问题均做到“{rectify}”或尚未到期。")
    to_close = [f for f in findings if f["rule"] in CLOSE_RULES and f["status"] != "rectified"]
    known("oversight_closed", not to_close,
          "须注销关停或整改：" + "、".join(sorted({f["subject_name"] for f in to_close})) + "。" if to_close
          else "无不符合开设条件的账号。")
    for code in INDICATOR_CODES:
        result.setdefault(code, {"result": "", "note": "", "known": False})
    return {
        "indicators": result,
        "own_accounts": [{"name": a["name"], "type": a["platform_label"]} for a in own],
        "sub_accounts": [{"name": a["name"], "type": a["platform_label"], "unit": a["organisation_name"]}
                         for a in report["accounts"] if a["organisation"] != organisation.pk],
        "report_period": report["period"],
        "checklist_version": report.get("checklist_version"),
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


SIGNERS = [("单位分管负责人", "leader", "leader_phone"), ("科室负责人", "section_head", "section_head_phone"),
           ("账号具体责任人", "keeper", "keeper_phone")]


def _long_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def printed_answers(known: dict, stored=None) -> list[list[str]]:
    """(section, number, indicator, result, note) of each indicator as printed: the saved answer, else the
    application's prefill marked as such, else blank for the unit to fill in by hand."""
    labels = dict(RESULT_CHOICES)
    saved = stored.answers if stored else {}
    rows = []
    for number, item in enumerate(INDICATORS, start=1):
        answer = saved.get(item.code)
        if answer:
            result, note = labels.get(answer.get("result"), ""), answer.get("note", "")
        else:
            pre = known["indicators"].get(item.code, {})
            result = labels.get(pre.get("result"), "")
            if result and pre.get("known"):
                result += "（系统预填）"
            note = pre.get("note", "")
        rows.append([item.section, number, item.text, result, note])
    return rows


def render_pdf(*, unit, period: Period, known: dict, stored=None) -> bytes:
    """The self-inspection table (qingdao 附件2) as a document to print, sign and keep: A4 portrait, the unit's
    and its subordinates' accounts, each indicator with its result and note, the people responsible."""
    title = "政务新媒体日常监管指标自查表"
    pdf = documents.new_pdf(title=f"{unit.name}{title}（{period.label}）", running_title=f"{unit.name}{title}（{period.label}）")
    dated = f"保存时间：{_long_date(timezone.localtime(stored.submitted_at))}" if stored else "尚未保存，以下为系统预填"
    documents.pdf_title_block(pdf, issuer=unit.name, title=title, subtitle=f"自查月份：{period.label}", dated=dated)
    own, subs = known.get("own_accounts", []), known.get("sub_accounts", [])
    documents.pdf_grid(pdf, [PdfColumn("序号", NUMBER), PdfColumn("账号名称", NAME), PdfColumn("类型", NAME)],
                       [[i, a["name"], a["type"]] for i, a in enumerate(own, start=1)],
                       title=f"一、本级政务新媒体（共 {len(own)} 个）", size=9)
    documents.pdf_grid(pdf, [PdfColumn("序号", NUMBER), PdfColumn("账号名称", NAME), PdfColumn("类型", NAME),
                             PdfColumn("开设单位", NAME)],
                       [[i, a["name"], a["type"], a["unit"]] for i, a in enumerate(subs, start=1)],
                       title=f"二、下属单位政务新媒体（共 {len(subs)} 个）", size=9)
    documents.pdf_grid(pdf, [PdfColumn("类别", NAME), PdfColumn("序号", NUMBER), PdfColumn("指标", max_width=62),
                             PdfColumn("自查结果", NAME), PdfColumn("说明", max_width=80)],
                       printed_answers(known, stored), title="三、日常监管指标", size=9)
    signers = stored.signers if stored else {}
    documents.pdf_grid(pdf, [PdfColumn("职责", NAME), PdfColumn("姓名", NAME), PdfColumn("联系电话", NAME)],
                       [[label, signers.get(person, ""), signers.get(phone, "")] for label, person, phone in SIGNERS],
                       title="四、责任人", size=9)
    pdf.ln(4)
    documents.pdf_keep(pdf, 24)  # the signature lines stay together
    documents.pdf_paragraph(pdf, "单位（盖章）：                              分管负责人（签字）：", size=11, indent=False)
    pdf.ln(6)
    documents.pdf_paragraph(pdf, "日期：        年    月    日", size=11, indent=False)
    return bytes(pdf.output())
