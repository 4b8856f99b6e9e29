"""The production settings refuse unsafe defaults, and pass Django's deployment checks when set properly."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k8Jd2nQ0x-7vLrT5pW9sYb3cF1hZ6mN4aE_uG0iKoP2qR8tV5wX7yB9dC3fH6jL1"


def run(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    base.update(env)
    base["DJANGO_SETTINGS_MODULE"] = "govmedia.settings.production"
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("env, expected", [
    ({"ALLOWED_HOSTS": "gov.example.cn"}, "SECRET_KEY"),
    ({"SECRET_KEY": "insecure-local-development-key-change-me-xxxxxxxxxxxxxxxxxxxx", "ALLOWED_HOSTS": "gov.example.cn"}, "SECRET_KEY"),
    ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "gov.example.cn"}, "SECRET_KEY"),
    ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS"),
    ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
])
def test_refuses_to_start_on_unsafe_defaults(env, expected):
    result = run("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and expected in result.stderr


def test_check_deploy_is_clean_with_real_settings():
    result = run("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="gov.example.cn")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
