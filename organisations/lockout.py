"""Failed sign-ins: what a locked-out caller sees, and the throttle per address.

The choice (issue 12, "nobody can lock a user out from elsewhere"): django-axes locks the pair (username,
address) after AXES_FAILURE_LIMIT failures, so wrong passwords typed elsewhere never lock a person out of their
own office; and an address that fails ADDRESS_FAILURE_LIMIT times within AXES_COOLOFF_TIME, at any names, is
refused every sign-in until the window passes (guessing across many names from one place). Offices share one
NAT address, so the address limit is far above one person's typos. The security administrator lifts a lock.
"""
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from govmedia.core.audit import client_address

MESSAGE = "登录失败次数过多，该账户已被暂时锁定，请30分钟后再试或联系安全管理员解锁。"
ADDRESS_MESSAGE = "该网络地址登录失败次数过多，暂时不能登录，请稍后再试。"


def message_for(request) -> str:
    return ADDRESS_MESSAGE if getattr(request, "address_throttled", False) else MESSAGE


def lockout_response(request, original_response=None, credentials=None):
    message = message_for(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)


def address_failures(address: str, now=None) -> int:
    """Failed sign-ins from `address` at any names within the cool-off window (axes' own records)."""
    from axes.models import AccessAttempt  # axes' models load only once apps are ready

    since = (now or timezone.now()) - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


class AddressThrottleBackend:
    """Refuses any sign-in from an address over ADDRESS_FAILURE_LIMIT (after axes' own check, before the
    password is even looked at). No `get_user`: sessions belong to ModelBackend, as with axes' backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        """Never a user: either refuses (PermissionDenied ends authenticate()) or lets the next backend try."""
        address = client_address(request) if request is not None else None
        if address and address_failures(address) >= settings.ADDRESS_FAILURE_LIMIT:
            request.address_throttled = True
            request.axes_locked_out = True  # AxesMiddleware then answers with `lockout_response`
            raise PermissionDenied(ADDRESS_MESSAGE)
