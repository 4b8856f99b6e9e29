from notifications.api import NotificationViewSet


def register(router):
    router.register("notifications", NotificationViewSet, basename="api-notification")
