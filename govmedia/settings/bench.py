"""Benchmarks: their own database, so the demo is never touched."""
from .base import *  # noqa: F401,F403
from .base import DATABASE_URL, VAR_DIR

DEBUG = False
if not DATABASE_URL:
    (VAR_DIR / "bench").mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "bench" / "bench.sqlite3",
            "OPTIONS": {"timeout": 30},
        }
    }
