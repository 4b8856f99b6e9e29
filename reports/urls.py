from django.urls import path

from reports import views

urlpatterns = [
    path("reports/", views.index_page, name="reports"),
    path("reports/monthly/", views.monthly_page, name="report-monthly"),
    path("reports/quarterly/", views.quarterly_page, name="report-quarterly"),
    path("reports/exports/", views.export_start_page, name="report-export-start"),
    path("reports/exports/<str:token>/", views.export_page, name="report-export"),
    path("reports/stored/<str:kind>/<str:period>/<int:organisation_id>.<str:fmt>", views.stored_download, name="report-stored"),
    path("reports/bulletins/<int:pk>/", views.bulletin_page, name="report-bulletin"),
    path("reports/bulletins/<int:pk>.<str:fmt>", views.bulletin_document, name="report-bulletin-document"),
    path("reports/self-inspection/", views.self_inspection_page, name="self-inspection"),
    path("reports/self-inspection/print.pdf", views.self_inspection_document, name="self-inspection-pdf"),
]
