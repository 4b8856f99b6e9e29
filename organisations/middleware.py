"""The steps of signing in after the password (SPEC "Security model"): the second factor for administrators and
supervisors, then a new password when it expired or was reset. Until both are done, a session reaches only
these steps' pages (and sign-out); the API answers 403 with the reason."""
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from organisations import access

# Pages a half-signed-in session may always reach; besides these, only the page of the step it owes (so that the
# password cannot be changed before the second factor is given).
OPEN_VIEWS = {"login", "logout", "health", "api-logout"}
SECOND_FACTOR_VIEWS = {"otp-verify", "otp-setup"}

MESSAGES = {
    "otp-verify": "请先完成双因素认证（输入动态口令）。",
    "otp-setup": "请先绑定双因素认证（动态口令）。",
    "password-change": "密码已过期或已被重置，请先修改密码。",
}


def pending_step(request) -> str | None:
    """The sign-in step this session still owes (a URL name), or None."""
    user = request.user
    if not user.is_authenticated:
        return None
    if settings.SECOND_FACTOR_REQUIRED and access.needs_second_factor(user) and not user.is_verified():
        from django_otp import devices_for_user

        return "otp-verify" if any(True for _ in devices_for_user(user, confirmed=True)) else "otp-setup"
    if user.password_expired():
        return "password-change"
    return None


class SignInStepsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        name = match.url_name if match is not None else None
        if name in OPEN_VIEWS:
            return None
        # Token callers are known only inside DRF; their tokens come from auth/token/, which asks the same steps.
        step = pending_step(request)
        if step is None or name == step or (step in SECOND_FACTOR_VIEWS and name in SECOND_FACTOR_VIEWS):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": MESSAGES[step]}, status=403)
        return redirect(reverse(step) + "?" + urlencode({"next": request.get_full_path()}))
