"""Reports under /api/v1/ (API.md "Reports")."""
from django.urls import path

from reports import api


def register(router):
    """Stored bulletins and self-inspections, once their tables exist; the reports are plain views (below)."""
    from reports.bulletins import storage_ready

    if storage_ready():
        router.register("bulletins", api.BulletinViewSet, basename="api-bulletin")
        router.register("self-inspections", api.SelfInspectionViewSet, basename="api-self-inspection")


urlpatterns = [
    path("reports/monthly/", api.MonthlyReportView.as_view(), name="api-report-monthly"),
    path("reports/quarterly/", api.QuarterlyReportView.as_view(), name="api-report-quarterly"),
    path("reports/exports/", api.ExportView.as_view(), name="api-report-exports"),
    path("reports/exports/<str:token>/", api.ExportStatusView.as_view(), name="api-report-export"),
    path("reports/exports/<str:token>/download/", api.ExportDownloadView.as_view(), name="api-report-export-download"),
]
