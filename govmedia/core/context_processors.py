from django.urls import NoReverseMatch, reverse

from .permissions import can_read_audit

# (label, url name, who sees it). Each area adds its line when its pages exist.
NAVIGATION = [
    ("首页", "home", "all"),
    ("机构与人员", "organisation-list", "all"),
    ("工作日历", "calendar", "all"),
    ("审计日志", "audit", "audit"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    items = []
    for label, name, who in NAVIGATION:
        if who == "audit" and not can_read_audit(user):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}
