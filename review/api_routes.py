from .api import ReviewPolicyViewSet, ReviewTaskViewSet


def register(router):
    router.register("review-tasks", ReviewTaskViewSet, basename="api-review-task")
    router.register("review-policies", ReviewPolicyViewSet, basename="api-review-policy")

