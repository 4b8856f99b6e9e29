"""The one menu: every entry, in order and by area, with who sees it, and the context processor that renders it."""
from django.urls import reverse

from organisations.access import (
    can_keep_word_lists, can_manage_service_accounts, can_read_audit, can_see_webhooks, can_self_inspect,
    can_set_review_policies,
)


def everyone(user) -> bool:
    return True


# Areas of the sidebar, in order, each with its entries: (label, url name, who sees it: a callable taking the
# signed-in user). An area whose entries the person may not open is not shown.
NAVIGATION = [
    ("工作台", [
        ("工作台", "home", everyone),
        ("工作日历", "calendar", everyone),
    ]),
    ("账号与网站", [
        ("政务新媒体", "account-list", everyone),
        ("备案审批", "filing-queue", everyone),
        ("网站与栏目", "site-list", everyone),
    ]),
    ("内容发布", [
        ("稿件", "post-list", everyone),
        ("审校队列", "review-queue", everyone),
        ("发布台账", "register", everyone),
        ("审校流程", "review-policies", can_set_review_policies),
        ("词表", "word-lists", can_keep_word_lists),
    ]),
    ("检查与整改", [
        ("本单位整改", "inspections-my-findings", everyone),
        ("检查问题", "finding-list", everyone),
        ("更新倒计时", "countdown", everyone),
        ("找错与留言", "error-report-list", everyone),
        ("检查记录", "inspection-list", everyone),
        ("检查指标", "checklist", everyone),
        ("网站扫描", "scan-list", everyone),
    ]),
    ("报告", [
        ("监测报告", "reports", everyone),
        ("每月自查", "self-inspection", can_self_inspect),
    ]),
    ("系统管理", [
        ("机构与人员", "organisation-list", everyone),
        ("审计日志", "audit", can_read_audit),
        ("接口账号", "service-accounts", can_manage_service_accounts),
        ("接口推送", "webhook-list", can_see_webhooks),
    ]),
]


def navigation(request):
    """`nav_items`: every entry the person may open, in order; `nav_groups`: the same, by area, for the sidebar."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    items, groups = [], []
    for area, entries in NAVIGATION:
        shown = []
        for label, name, sees in entries:
            if not sees(user):
                continue
            shown.append({"label": label, "url": reverse(name), "active": False, "group": area})
        if shown:
            groups.append({"label": area, "items": shown})
            items.extend(shown)
    # The current page is the entry with the longest address that the path starts with (/findings/mine/ is
    # 本单位整改, not also 检查问题); the home page only for itself.
    matches = [i for i in items if (request.path == i["url"] if i["url"] == "/" else request.path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    for group in groups:
        group["active"] = any(i["active"] for i in group["items"])
    return {"nav_items": items, "nav_groups": groups}
