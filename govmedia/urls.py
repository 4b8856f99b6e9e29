from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from organisations.api import TokenView
from organisations.forms import LoginForm
from govmedia.core import views as core_views

from govmedia.core.plugins import area_modules

from .api_urls import extra_urlpatterns, router

urlpatterns = [
    path("", core_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("calendar/", core_views.calendar_page, name="calendar"),
    path("audit/", core_views.audit_page, name="audit"),
    path("healthz/", core_views.health, name="health"),
    re_path(r"^media/(?P<path>.+)$", core_views.media, name="media"),
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    # Non-router API paths of the areas (reports, register ...), before the router's.
    path("api/v1/", include(extra_urlpatterns)),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
# Each area's pages (`<area>/urls.py`).
urlpatterns += [path("", include(module.__name__)) for module in area_modules("urls")]
