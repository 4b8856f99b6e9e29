from django.urls import path

from . import registry_views, views

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("organisations/<int:pk>/delete/", views.organisation_delete, name="organisation-delete"),
    path("organisations/<int:pk>/people/", views.person_add, name="person-add"),
    path("organisations/<int:pk>/roles/", views.membership_add, name="membership-add"),
    path("roles/<int:pk>/withdraw/", views.membership_withdraw, name="membership-withdraw"),
    path("people/", views.people_list, name="people-list"),
    path("people/<int:pk>/", views.membership_list_for_user, name="person-detail"),
    # The account register and its filings (备案).
    path("accounts/", registry_views.account_list, name="account-list"),
    path("accounts/register.xlsx", registry_views.account_register_xlsx, name="account-register-xlsx"),
    path("accounts/existing/", registry_views.account_register_existing, name="account-register-existing"),
    path("accounts/<int:pk>/", registry_views.account_detail, name="account-detail"),
    path("accounts/<int:pk>/updates/", registry_views.account_add_update_page, name="account-add-update"),
    path("accounts/<int:pk>/updates/import/", registry_views.account_import_updates, name="account-import-updates"),
    path("accounts/<int:pk>/facts/", registry_views.account_facts, name="account-facts"),
    path("accounts/<int:pk>/exemption/", registry_views.account_exemption, name="account-exemption"),
    path("accounts/<int:pk>/form/", registry_views.account_form_print, name="account-form"),
    path("accounts/<int:pk>/form.pdf", registry_views.account_form_pdf, name="account-form-pdf"),
    path("accounts/<int:pk>/filings/new/", registry_views.filing_start, name="filing-start"),
    path("filings/", registry_views.filing_queue, name="filing-queue"),
    path("filings/new/", registry_views.filing_open, name="filing-open"),
    path("filings/<int:pk>/", registry_views.filing_detail, name="filing-detail"),
    path("filings/<int:pk>/edit/", registry_views.filing_edit, name="filing-edit"),
    path("filings/<int:pk>/<str:action>/", registry_views.filing_action, name="filing-action"),
]
