"""The account register's API routes (API.md `accounts/`, `filings/`)."""
from accounts.api import AccountViewSet, FilingViewSet


def register(router):
    router.register("accounts", AccountViewSet, basename="api-account")
    router.register("filings", FilingViewSet, basename="api-filing")
