from django.urls import path

from organisations import audit, calendar, service_accounts, signin, views

urlpatterns = [
    path("login/otp/", signin.otp_verify, name="otp-verify"),
    path("login/otp/setup/", signin.otp_setup, name="otp-setup"),
    path("password/change/", signin.password_change, name="password-change"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("organisations/<int:pk>/delete/", views.organisation_delete, name="organisation-delete"),
    path("organisations/<int:pk>/people/", views.person_add, name="person-add"),
    path("organisations/<int:pk>/roles/", views.membership_add, name="membership-add"),
    path("roles/<int:pk>/withdraw/", views.membership_withdraw, name="membership-withdraw"),
    path("people/", views.people_list, name="people-list"),
    path("people/<int:pk>/", views.membership_list_for_user, name="person-detail"),
    path("people/<int:pk>/security/", views.person_security, name="person-security"),
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("audit/", audit.audit_page, name="audit"),
    path("service-accounts/", service_accounts.service_accounts_page, name="service-accounts"),
]
