"""The OpenAPI schema and its docs page, behind sign-in when API_DOCS_LOGIN_REQUIRED is on (production)."""
from django.conf import settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission


class DocsPermission(BasePermission):
    """Read at each request, so that a deployment (and a test) decides without reloading the URLs."""

    def has_permission(self, request, view):
        if not getattr(settings, "API_DOCS_LOGIN_REQUIRED", True):
            return True
        return bool(request.user and request.user.is_authenticated)


class SchemaView(SpectacularAPIView):
    permission_classes = [DocsPermission]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served as a file of ours, so the page runs under our CSP (no inline
    script)."""

    permission_classes = [DocsPermission]
    template_name = "api_docs.html"
