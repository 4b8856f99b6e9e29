from .api import NotificationViewSet, ReviewPolicyViewSet, ReviewTaskViewSet


def register(router):
    router.register("review-tasks", ReviewTaskViewSet, basename="api-review-task")
    router.register("notifications", NotificationViewSet, basename="api-notification")
    router.register("review-policies", ReviewPolicyViewSet, basename="api-review-policy")
