"""The one menu: every entry, in order, with who sees it, and the context processor that renders it."""
from django.urls import reverse

from organisations.access import (
    can_keep_word_lists, can_manage_service_accounts, can_read_audit, can_see_webhooks, can_self_inspect,
    can_set_review_policies,
)


def everyone(user) -> bool:
    return True


# (label, url name, who sees it: a callable taking the signed-in user), in menu order.
NAVIGATION = [
    ("首页", "home", everyone),
    # organisations
    ("机构与人员", "organisation-list", everyone),
    # accounts
    ("政务新媒体", "account-list", everyone),
    ("备案审批", "filing-queue", everyone),
    # sites
    ("网站与栏目", "site-list", everyone),
    # publishing
    ("稿件", "post-list", everyone),
    ("发布台账", "register", everyone),
    ("词表", "word-lists", can_keep_word_lists),
    # review
    ("审校队列", "review-queue", everyone),
    ("审校流程", "review-policies", can_set_review_policies),
    # inspections
    ("本单位整改", "inspections-my-findings", everyone),
    ("检查问题", "finding-list", everyone),
    ("更新倒计时", "countdown", everyone),
    ("找错与留言", "error-report-list", everyone),
    ("检查记录", "inspection-list", everyone),
    ("检查指标", "checklist", everyone),
    # scanning
    ("网站扫描", "scan-list", everyone),
    # reports
    ("监测报告", "reports", everyone),
    ("每月自查", "self-inspection", can_self_inspect),
    # the office's tools
    ("工作日历", "calendar", everyone),
    ("审计日志", "audit", can_read_audit),
    ("接口账号", "service-accounts", can_manage_service_accounts),
    ("接口推送", "webhook-list", can_see_webhooks),
]


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    items = []
    for label, name, sees in NAVIGATION:
        if not sees(user):
            continue
        url = reverse(name)
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}
