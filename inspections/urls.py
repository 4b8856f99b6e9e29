from django.urls import path

from . import checklist_views, views

urlpatterns = [
    path("inspections/", views.inspection_list, name="inspection-list"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("findings/", views.finding_list, name="finding-list"),
    path("findings/mine/", views.my_findings, name="inspections-my-findings"),
    path("findings/export.xlsx", views.finding_export, name="finding-export"),
    path("findings/<int:pk>/", views.finding_detail, name="finding-detail"),
    path("countdown/", views.countdown_page, name="countdown"),
    path("error-reports/", views.error_report_list, name="error-report-list"),
    path("error-reports/<int:pk>/", views.error_report_detail, name="error-report-detail"),
    path("messages/", views.message_list, name="message-list"),
    path("messages/<int:pk>/", views.message_detail, name="message-detail"),
    path("checklist/", checklist_views.checklist_page, name="checklist"),
]
