from django.urls import path, re_path

from . import views

urlpatterns = [
    path("scans/", views.scan_list, name="scan-list"),
    path("scans/<int:pk>/", views.scan_detail, name="scan-detail"),
    path("scans/pages/<int:pk>/", views.page_detail, name="scanned-page"),
    path("scans/findings/<int:pk>/dismiss/", views.finding_dismiss, name="scan-finding-dismiss"),
    path("sites/<int:pk>/scans/", views.site_scans, name="scan-site"),
    path("sites/<int:pk>/scans/start/", views.site_scan_start, name="scan-site-start"),
    # The demo government site (docs/scanning.md): public, like any website.
    re_path(r"^demo-site/(?P<path>[A-Za-z0-9_./-]*)$", views.demo_site, name="demo-site"),
]
