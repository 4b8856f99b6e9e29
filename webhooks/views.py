"""The 接口推送 pages: a supervisor's webhooks, their form, and each one's deliveries with every attempt."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from govmedia.core.exceptions import DomainConflict
from govmedia.core.forms import apply_errors
from organisations import access

from . import services
from .forms import WebhookForm
from .models import DeliveryStatus, Webhook


def _scope(user):
    if not access.can_see_webhooks(user):
        raise PermissionDenied("只有主管单位工作人员可以管理接口推送。")
    return Webhook.objects.filter(organisation__in=access.webhook_organisations(user).values("pk"))


def _webhook(request, pk) -> Webhook:
    return get_object_or_404(_scope(request.user).select_related("organisation", "created_by"), pk=pk)


@login_required
def webhook_list(request):
    webhooks = (
        _scope(request.user).select_related("organisation")
        .annotate(
            pending=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
            failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
            last_delivered=Max("deliveries__delivered_at"),
        )
        .order_by("organisation__path", "id")
    )
    return render(request, "webhooks/webhook_list.html", {"webhooks": webhooks})


@login_required
def webhook_new(request):
    _scope(request.user)
    organisations = access.webhook_organisations(request.user).order_by("path")
    form = WebhookForm(request.POST or None, organisations=organisations, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            webhook, secret = services.webhook_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            transaction.set_rollback(True)
            apply_errors(form, exc)
        else:
            messages.success(request, f"已创建接口推送“{webhook.url}”。")
            # Shown in this answer only, never stored in a message or shown again.
            return _detail(request, webhook, new_secret=secret)
    return render(request, "webhooks/webhook_form.html", {"form": form, "webhook": None})


@login_required
def webhook_edit(request, pk):
    webhook = _webhook(request, pk)
    organisations = access.webhook_organisations(request.user).order_by("path")
    initial = {"organisation": webhook.organisation_id, "url": webhook.url, "events": webhook.events,
               "description": webhook.description, "active": webhook.active}
    form = WebhookForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_update(webhook=webhook, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            transaction.set_rollback(True)
            apply_errors(form, exc)
        else:
            messages.success(request, "接口推送已保存。")
            return redirect("webhook-detail", pk=webhook.pk)
    return render(request, "webhooks/webhook_form.html", {"form": form, "webhook": webhook})


@login_required
def webhook_detail(request, pk):
    return _detail(request, _webhook(request, pk))


def _detail(request, webhook: Webhook, new_secret: str = ""):
    deliveries = webhook.deliveries.prefetch_related("attempt_log").order_by("-created_at", "-id")
    status = request.GET.get("status", "")
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(request, "webhooks/webhook_detail.html", {
        "webhook": webhook, "page": page, "status": status, "statuses": DeliveryStatus.choices,
        "new_secret": new_secret,
    })


@login_required
@require_POST
def webhook_delete(request, pk):
    webhook = _webhook(request, pk)
    services.webhook_delete(webhook=webhook, user=request.user)
    messages.success(request, f"已删除接口推送“{webhook.url}”及其推送记录。")
    return redirect("webhook-list")


@login_required
@require_POST
def webhook_test(request, pk):
    webhook = _webhook(request, pk)
    try:
        delivery = services.webhook_ping(webhook=webhook, user=request.user)
    except DomainConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已发送测试推送（推送记录 {delivery.pk}），结果见下方推送记录。")
    return redirect("webhook-detail", pk=webhook.pk)
