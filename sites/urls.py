from django.urls import path

from . import views

urlpatterns = [
    path("sites/", views.site_list, name="site-list"),
    path("sites/new/", views.site_create, name="site-create"),
    path("sites/<int:pk>/", views.site_detail, name="site-detail"),
    path("sites/<int:pk>/edit/", views.site_edit, name="site-edit"),
    path("sites/<int:pk>/monitoring/", views.site_monitoring, name="site-monitoring"),
    path("sites/<int:pk>/columns/new/", views.column_create, name="column-create"),
    path("sites/<int:pk>/columns/import/", views.column_import, name="column-import"),
    path("sites/<int:pk>/columns/template.csv", views.column_import_template, name="column-import-template"),
    path("columns/<int:pk>/", views.column_detail, name="column-detail"),
    path("columns/<int:pk>/edit/", views.column_edit, name="column-edit"),
]
