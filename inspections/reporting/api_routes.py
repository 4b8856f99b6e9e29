"""Reports under /api/v1/ (API.md "Reports")."""
from django.urls import path

from . import api


def register(router):
    """The reports are not collections of rows; their paths are plain views (below)."""


urlpatterns = [
    path("reports/monthly/", api.MonthlyReportView.as_view(), name="api-report-monthly"),
    path("reports/quarterly/", api.QuarterlyReportView.as_view(), name="api-report-quarterly"),
    path("reports/exports/", api.ExportView.as_view(), name="api-report-exports"),
    path("reports/exports/<str:token>/", api.ExportStatusView.as_view(), name="api-report-export"),
    path("reports/exports/<str:token>/download/", api.ExportDownloadView.as_view(), name="api-report-export-download"),
]
