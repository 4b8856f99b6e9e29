"""Project pages: the home page (the 工作台 of what waits for the person; a supervisor's adds the region
dashboard), the health check and the error pages."""
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import defaults
from rest_framework.exceptions import NotFound

from govmedia.celery import app
from govmedia.core import selectors
from govmedia.workbench import workbench
from organisations.models import Membership
from reports.dashboard import dashboard_context
from reports.selectors import default_region

logger = logging.getLogger(__name__)


@login_required
def home(request):
    user = request.user
    memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__path")
    warnings = selectors.calendar_warnings(timezone.localdate()) if user.is_supervisor else []
    context = {"memberships": memberships, "calendar_warnings": warnings, "workbench": workbench(user)}
    if user.is_supervisor:
        # A supervisor's home page is the region dashboard (reports).
        region = default_region(user)
        if region is not None:
            context.update(dashboard_context(user, region))
    return render(request, "home.html", context)


def health(request):
    """Liveness of the database and the broker, for the deployment's health checks."""
    status = {"database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - report any failure, never raise from a health check
        status["database"] = f"error: {exc.__class__.__name__}"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:  # noqa: BLE001
        status["broker"] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in status.values())
    return JsonResponse(status, status=200 if healthy else 503)


def not_found(request, exception=None):
    """A path that matches no route: under /api/ the API's 404 (DRF's shape, in Chinese, as for an unknown id —
    `accounts/abc/` included, since ids in API paths are whole numbers); elsewhere the 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404, json_dumps_params={"ensure_ascii": False})
    return defaults.page_not_found(request, exception)


class ChineseErrorPagesMiddleware:
    """Office staff see the Chinese 404 and 500 pages in every mode. With DEBUG on (the demo of `make run`)
    Django would answer with its English technical pages, which also list every URL of the application; the
    traceback still reaches the console log. GOVMEDIA_TECHNICAL_ERRORS=1 keeps Django's pages for a developer."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.active = settings.DEBUG and not settings.GOVMEDIA_TECHNICAL_ERRORS

    def __call__(self, request):
        response = self.get_response(request)
        if self.active and response.status_code == 404 and response.get("Content-Type", "").startswith("text/html"):
            return not_found(request)
        return response

    def process_exception(self, request, exception):
        if not self.active or isinstance(exception, (Http404, PermissionDenied)):
            return None
        logger.error("Unhandled error on %s", request.path, exc_info=exception)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "服务器内部错误，请稍后再试。"}, status=500,
                                json_dumps_params={"ensure_ascii": False})
        return defaults.server_error(request)
