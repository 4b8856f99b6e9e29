from .api import BrokenLinkViewSet, ColumnViewSet, ProbeViewSet, SiteViewSet


def register(router):
    router.register("sites", SiteViewSet, basename="api-site")
    router.register("columns", ColumnViewSet, basename="api-column")
    router.register("probes", ProbeViewSet, basename="api-probe")
    router.register("broken-links", BrokenLinkViewSet, basename="api-broken-link")
