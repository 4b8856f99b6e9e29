"""Root fixtures: services the run has, the people of a small region, API clients."""
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser_helpers import CHROMIUM

# CI sets this: a missing service is then a failure, not a skip.
REQUIRE_SERVICES = os.environ.get("GOVMEDIA_REQUIRE_SERVICES") == "1"
# The Node.js client generators (`npm ci --prefix tools/clients`; .ci/run installs them).
CLIENT_TOOLS = Path(__file__).resolve().parent / "tools" / "clients" / "node_modules" / ".bin"


def _has_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


SERVICES = {
    "postgres": (lambda: settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                 "needs PostgreSQL: set DATABASE_URL"),
    "redis": (lambda: bool(settings.REDIS_URL), "needs Redis: set REDIS_URL"),
    "browser": (lambda: shutil.which(CHROMIUM) is not None and _has_playwright(),
                f"needs Chromium at {CHROMIUM} and Playwright"),
    "clients": (lambda: shutil.which("node") is not None
                and all((CLIENT_TOOLS / tool).exists() for tool in ("openapi-typescript", "tsc")),
                "needs Node.js tools: npm ci --prefix tools/clients"),
}


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    where = f"{db.get('HOST') or 'local socket'}:{db.get('PORT') or ''}/{db['NAME']}" if engine != "sqlite3" else "file"
    broker = "Redis" if settings.REDIS_URL else "filesystem (embedded)"
    browser = "Chromium" if SERVICES["browser"][0]() else "none"
    return [f"govmedia: database {engine} ({where}), broker {broker}, browser {browser}"]


def pytest_runtest_setup(item):
    for name, (available, reason) in SERVICES.items():
        if item.get_closest_marker(name) and not available():
            if REQUIRE_SERVICES:
                pytest.fail(f"CI requires this service: {reason}", pytrace=False)
            pytest.skip(reason)
