"""The notifications page: the bell's list, marking read."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from notifications.models import Notification


@login_required
def notifications(request):
    items = Notification.objects.for_user(request.user)
    if request.GET.get("unread"):
        items = items.unread()
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk):
    item = Notification.objects.for_user(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404
    Notification.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=timezone.now())
    if request.POST.get("go") and item.url.startswith("/"):
        return redirect(item.url)
    return redirect("notifications")


@login_required
@require_POST
def notification_read_all(request):
    count = Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
    messages.success(request, f"已将 {count} 条通知标为已读。")
    return redirect("notifications")
