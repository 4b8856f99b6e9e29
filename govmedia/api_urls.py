"""The one router of /api/v1/: each area registers its viewsets in `<area>/api_routes.py`."""
from rest_framework.routers import DefaultRouter

from organisations import api as accounts_api
from govmedia.core import api_views as core_api
from govmedia.core.plugins import area_modules

router = DefaultRouter()
router.register("organisations", accounts_api.OrganisationViewSet, basename="api-organisation")
router.register("users", accounts_api.UserViewSet, basename="api-user")
router.register("memberships", accounts_api.MembershipViewSet, basename="api-membership")
router.register("calendar", core_api.CalendarViewSet, basename="api-calendar")
router.register("audit-log", core_api.AuditLogViewSet, basename="api-audit-log")

extra_urlpatterns = []
for module in area_modules("api_routes"):
    module.register(router)
    extra_urlpatterns += getattr(module, "urlpatterns", [])
