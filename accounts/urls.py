from django.urls import path

from accounts import views

urlpatterns = [
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/register.xlsx", views.account_register_xlsx, name="account-register-xlsx"),
    path("accounts/existing/", views.account_register_existing, name="account-register-existing"),
    path("accounts/<int:pk>/", views.account_detail, name="account-detail"),
    path("accounts/<int:pk>/updates/", views.account_add_update_page, name="account-add-update"),
    path("accounts/<int:pk>/updates/import/", views.account_import_updates, name="account-import-updates"),
    path("accounts/<int:pk>/facts/", views.account_facts, name="account-facts"),
    path("accounts/<int:pk>/exemption/", views.account_exemption, name="account-exemption"),
    path("accounts/<int:pk>/form/", views.account_form_print, name="account-form"),
    path("accounts/<int:pk>/form.pdf", views.account_form_pdf, name="account-form-pdf"),
    path("accounts/<int:pk>/filings/new/", views.filing_start, name="filing-start"),
    path("filings/", views.filing_queue, name="filing-queue"),
    path("filings/new/", views.filing_open, name="filing-open"),
    path("filings/<int:pk>/", views.filing_detail, name="filing-detail"),
    path("filings/<int:pk>/edit/", views.filing_edit, name="filing-edit"),
    path("filings/<int:pk>/<str:action>/", views.filing_action, name="filing-action"),
]
