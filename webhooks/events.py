"""The events another system may subscribe to (API.md "Other systems"), defined once with their Chinese labels.

The codes are part of the API contract: they are what a subscription lists in `events` and what a delivery's
`X-Govmedia-Event` header and `event` field carry.
"""
from __future__ import annotations

# code -> label, in the order the pages list them.
EVENTS: dict[str, str] = {
    "filing.submitted": "备案已提交",
    "filing.approved": "备案已审批通过",
    "filing.rejected": "备案被退回",
    "post.published": "稿件已发布",
    "finding.opened": "发现新问题",
    "finding.closed": "问题已整改",
    "inspection.finished": "检查已完成",
    "scan.finished": "网站扫描已完成",
    "report.issued": "报告已发布",
}
CHOICES = list(EVENTS.items())

# Sent only by "发送测试" to one webhook; nobody subscribes to it.
PING = "ping"
PING_LABEL = "测试推送"


def label(code: str) -> str:
    return EVENTS.get(code) or (PING_LABEL if code == PING else code)


def normalise(codes) -> list[str]:
    """The subscribed events in the order of EVENTS, each once; ValueError naming what is unknown."""
    if not isinstance(codes, (list, tuple)) or not all(isinstance(code, str) for code in codes):
        raise ValueError("请以事件代码列表的形式填写订阅事件。")
    unknown = [code for code in codes if code not in EVENTS]
    if unknown:
        raise ValueError(f"未知事件：{'、'.join(unknown)}。可订阅的事件：{'、'.join(EVENTS)}。")
    chosen = set(codes)
    return [code for code in EVENTS if code in chosen]
