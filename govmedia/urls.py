from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from govmedia import views
from accounts import files as accounts_files
from govmedia.core import docs as core_docs
from govmedia.core.files import file_urlpatterns
from inspections import files as inspections_files
from organisations.api import LogoutView, PasswordChangeView, TokenView
from organisations.forms import LoginForm
from publishing import files as publishing_files

from .api_urls import extra_urlpatterns, router

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz/", views.health, name="health"),
    # Uploaded files only through their owner room's scope check (govmedia.core.files); no /media/.
    *file_urlpatterns({**accounts_files.FILES, **publishing_files.FILES, **inspections_files.FILES}),
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/v1/auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("api/v1/auth/password/", PasswordChangeView.as_view(), name="api-password"),
    # Non-router API paths of the areas (reports, register ...), before the router's.
    path("api/v1/", include(extra_urlpatterns)),
    path("api/v1/", include(router.urls)),
    path("api/schema/", core_docs.SchemaView.as_view(), name="schema"),
    path("api/docs/", core_docs.DocsView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    # Each area's pages, in room order.
    path("", include("organisations.urls")),
    path("", include("accounts.urls")),
    path("", include("sites.urls")),
    path("", include("publishing.urls")),
    path("", include("review.urls")),
    path("", include("notifications.urls")),
    path("", include("webhooks.urls")),
    path("", include("inspections.urls")),
    path("", include("scanning.urls")),
    path("", include("reports.urls")),
]

handler404 = "govmedia.views.not_found"
