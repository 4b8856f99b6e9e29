"""Browser fixtures live in tests/conftest.py so that every area's browser tests share one browser."""
from tests.conftest import ARGS, CHROMIUM  # noqa: F401  (imported by areas that start their own Playwright thread)
