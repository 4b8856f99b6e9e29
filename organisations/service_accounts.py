"""The page where administrators keep the service accounts of other systems and their tokens (接口账号)."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render

from govmedia.core.exceptions import DomainConflict
from govmedia.core.forms import apply_errors
from organisations import access, services
from organisations.models import ApiToken, Organisation


class ServiceAccountForm(forms.Form):
    username = forms.CharField(label="账号名", max_length=150, help_text="如 city-platform：对方系统的名称，字母、数字和 @.+-_。")
    display_name = forms.CharField(label="说明", max_length=60, help_text="如：市级监管平台（拉取检查问题）")
    home_organisation = forms.ModelChoiceField(label="所属单位", queryset=Organisation.objects.none())

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_organisation"].queryset = organisations


class TokenIssueForm(forms.Form):
    name = forms.CharField(label="令牌名称", max_length=100, help_text="如：生产环境、测试环境")


def _context(request, **extra):
    user = request.user
    accounts = (
        access.managed_service_accounts(user)
        .select_related("home_organisation")
        .prefetch_related(
            "memberships__organisation",
            Prefetch("api_tokens", queryset=ApiToken.objects.select_related("revoked_by").order_by("revoked_at", "-created_at")),
        )
        .order_by("username")
    )
    return {
        "accounts": accounts,
        "create_form": ServiceAccountForm(organisations=access.service_account_organisations(user).order_by("path")),
        **extra,
    }


def _managed_token(request) -> ApiToken:
    token = get_object_or_404(access.visible_tokens(request.user).select_related("user"), pk=request.POST.get("token"))
    if not access.can_manage_token(request.user, token):
        raise PermissionDenied("您不能管理该令牌。")
    return token


def _show_key(request, token, key):
    # The key is in this answer only: never stored, nor put in a message (messages may travel in a cookie).
    response = render(request, "organisations/service_accounts.html", _context(request, new_token=token, new_key=key))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def service_accounts_page(request):
    user = request.user
    if not access.can_manage_service_accounts(user):
        raise PermissionDenied("只有系统管理员和顶级单位的主管人员可以管理接口账号。")
    if request.method != "POST":
        return render(request, "organisations/service_accounts.html", _context(request))

    operation = request.POST.get("operation")
    if operation == "create":
        form = ServiceAccountForm(request.POST, organisations=access.service_account_organisations(user))
        if form.is_valid():
            try:
                with transaction.atomic():
                    account = services.user_create(is_service=True, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已创建接口账号“{account.username}”。请在所属单位页面为其分配角色以确定可访问范围，再签发令牌。")
                return redirect("service-accounts")
        return render(request, "organisations/service_accounts.html", _context(request, create_form=form), status=400)

    if operation == "issue":
        account = get_object_or_404(access.managed_service_accounts(user), pk=request.POST.get("user"))
        form = TokenIssueForm(request.POST)
        if not form.is_valid():
            messages.error(request, "未签发：请填写令牌名称。")
            return redirect("service-accounts")
        try:
            with transaction.atomic():
                token, key = services.token_issue(user=account, name=form.cleaned_data["name"], actor=user)
        except ValidationError as exc:
            messages.error(request, "未签发：" + "；".join(exc.messages))
            return redirect("service-accounts")
        return _show_key(request, token, key)

    if operation in ("rotate", "revoke"):
        token = _managed_token(request)
        try:
            with transaction.atomic():
                if operation == "rotate":
                    successor, key = services.token_rotate(token=token, actor=user)
                else:
                    services.token_revoke(token=token, actor=user)
        except DomainConflict as exc:
            messages.error(request, exc.message)
            return redirect("service-accounts")
        if operation == "rotate":
            return _show_key(request, successor, key)
        messages.success(request, f"已撤销令牌 {token.prefix}…，使用它的请求将被拒绝。")
        return redirect("service-accounts")

    messages.error(request, "未知操作。")
    return redirect("service-accounts")
