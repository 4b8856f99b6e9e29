from django.urls import NoReverseMatch, reverse

from .permissions import can_read_audit
from .plugins import area_modules

# (label, url name, who sees it: "all", "audit", or a callable taking the user). Each area lists its own
# entries in `<area>/navigation.py` as NAVIGATION; they go between home and the office's tools.
HEAD = [("首页", "home", "all")]
TAIL = [("工作日历", "calendar", "all"), ("审计日志", "audit", "audit")]


def _entries():
    entries = list(HEAD)
    for module in area_modules("navigation"):
        entries += module.NAVIGATION
    return entries + TAIL


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    items = []
    for label, name, who in _entries():
        if who == "audit" and not can_read_audit(user):
            continue
        if callable(who) and not who(user):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}
