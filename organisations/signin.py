"""The sign-in steps after the password (organisations.middleware): the second factor (TOTP from django-otp,
recovery codes as its static device) and the change of an expired or reset password."""
import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from govmedia.core.audit import record_security_event
from govmedia.core.forms import apply_errors
from organisations import services
from organisations.middleware import pending_step

RECOVERY_CODES = 10
# The menu waits until every sign-in step is done (the pages it lists would only send the person back here).
NO_MENU = {"nav_items": [], "nav_groups": []}
TOTP_NAME = "动态口令"
RECOVERY_NAME = "恢复码"


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def _continue(request):
    """On to the next step still owed, or where the person was going."""
    step = pending_step(request)
    if step:
        return redirect(reverse(step) + "?" + urlencode({"next": _next(request)}))
    return redirect(_next(request))


class CodeForm(forms.Form):
    code = forms.CharField(label="动态口令或恢复码", max_length=16, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))


def verify_second_factor(user, code: str):
    """The device that accepts `code` (a TOTP code or an unused recovery code, which is then used up), or None.
    django-otp slows down repeated failures per device."""
    code = (code or "").strip().replace(" ", "")
    if not code:
        return None
    return match_token(user, code)


@login_required
def otp_verify(request):
    if not any(True for _ in devices_for_user(request.user, confirmed=True)):
        return redirect(reverse("otp-setup") + "?" + urlencode({"next": _next(request)}))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_second_factor(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = StaticToken.objects.filter(device=device).count()
                messages.warning(request, f"已使用一个恢复码，还剩 {left} 个。")
            return _continue(request)
        record_security_event("login_failed", actor=request.user, request=request,
                              detail={"comment": "动态口令错误"})
        form.add_error("code", "动态口令或恢复码不正确。")
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next(request), **NO_MENU},
                  status=400 if form.errors else 200)


def _qr_svg(text: str) -> str:
    """The enrolment QR code as inline SVG, drawn here (no image service, no CDN)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg"):]


def new_recovery_codes(user) -> list[str]:
    """Replace the person's recovery codes with RECOVERY_CODES new ones (each works once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@login_required
def otp_setup(request):
    """Enrolment: a TOTP secret (QR code and text), confirmed by one code; then the recovery codes, shown once."""
    user = request.user
    if any(True for _ in devices_for_user(user, confirmed=True)) and not user.is_verified():
        # A new device only after proving the present one.
        return redirect(reverse("otp-verify") + "?" + urlencode({"next": _next(request)}))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    form.fields["code"].label = "动态口令（六位数字）"
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
                device.confirmed = True
                device.save()
                codes = new_recovery_codes(user)
            otp_login(request, device)
            return render(request, "registration/otp_recovery_codes.html",
                          {"codes": codes, "next": _next(request), **NO_MENU})
        form.add_error("code", "动态口令不正确，请核对手机时间后重新输入。")
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "registration/otp_setup.html", {
        "form": form, "qr": mark_safe(_qr_svg(device.config_url)), "secret": secret, "next": _next(request),
        **NO_MENU,
    }, status=400 if form.errors else 200)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                   help_text="至少8位，含大写字母、小写字母、数字、符号中的至少3类；不能是常见密码或“单词＋连续数字”。")
    new_password2 = forms.CharField(label="确认新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


@login_required
def password_change(request):
    user = request.user
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.password_change(user=user, old_password=form.cleaned_data["old_password"],
                                         new_password=form.cleaned_data["new_password"], request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            update_session_auth_hash(request, user)  # this session stays signed in; others end
            messages.success(request, "密码已修改。")
            return _continue(request)
    reason = None
    if user.must_change_password:
        reason = "您的密码已被安全管理员重置，请设置新密码后继续。"
    elif user.password_expired():
        reason = "您的密码已超过有效期，请设置新密码后继续。"
    return render(request, "registration/password_change.html",
                  {"form": form, "reason": reason, "next": _next(request), **NO_MENU}, status=400 if form.errors else 200)
