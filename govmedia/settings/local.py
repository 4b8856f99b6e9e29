"""Local development and the demo: `make run`."""
from .base import *  # noqa: F401,F403
from .base import STORAGES, env_bool

DEBUG = env_bool("DEBUG", True)

# `make run` serves static files from the finders; collectstatic is for deployments.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
