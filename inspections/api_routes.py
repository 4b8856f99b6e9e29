from django.urls import path

from . import api


def register(router):
    router.register("inspections", api.InspectionViewSet, basename="api-inspection")
    router.register("findings", api.FindingViewSet, basename="api-finding")
    router.register("error-reports", api.ErrorReportViewSet, basename="api-error-report")
    router.register("messages", api.MessageViewSet, basename="api-message")
    router.register("message-policies", api.MessagePolicyViewSet, basename="api-message-policy")
    router.register("checklist-versions", api.ChecklistVersionViewSet, basename="api-checklist-version")


urlpatterns = [
    path("countdown/", api.CountdownView.as_view(), name="api-countdown"),
]
