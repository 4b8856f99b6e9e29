from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from govmedia import views
from govmedia.core import views as core_views
from organisations.api import LogoutView, TokenView
from organisations.forms import LoginForm

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
    re_path(r"^media/(?P<path>.+)$", core_views.media, name="media"),
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/v1/auth/logout/", LogoutView.as_view(), name="api-logout"),
    # Non-router API paths of the areas (reports, register ...), before the router's.
    path("api/v1/", include(extra_urlpatterns)),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
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
    path("", include("reports.urls")),
]

handler404 = "govmedia.views.not_found"
