"""Chinese everywhere: signed in as each demo role, every page reachable from the menu (following links, GET
only) shows no code value, Python repr, escaped unicode or float artefact in its visible text."""
from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlparse

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction

from organisations.models import User
from rules.definitions import RULES

# One person per role of the demo (organisations/demo.py).
ROLES = ["office_zhang", "office_wang", "edu_editor", "edu_principal", "vendor_ops", "cac_audit", "town_editor"]
PAGES_PER_USER = 120
SKIPPED_PREFIXES = ("/api/", "/admin/", "/static/", "/logout", "/files/", "/media/", "/demo-site/")
SKIPPED_SUFFIXES = (".xlsx", ".pdf", ".csv", ".png", ".jpg", ".zip")

REPR = re.compile(r"<[A-Za-z_][\w.]* object at 0x|\{'|'\}|\[\]|\bNone\b|\bTrue\b|\bFalse\b|\bnan\b|\bdatetime\.")
ESCAPED = re.compile(r"\\u[0-9a-fA-F]{4}")
FLOAT_ARTEFACT = re.compile(r"\d\.\d*(?:0000|9999)\d")
TOKEN = re.compile(r"(?<![\w./@:-])[a-z][a-z0-9_]*(?![\w/@:-])")


def code_values() -> set[str]:
    """Every stored code a user must never read: choice values of our models and rule codes."""
    values = set(RULES)
    for model in apps.get_models():
        if not model.__module__.split(".")[0] in {
            "organisations", "accounts", "sites", "publishing", "review", "inspections", "scanning", "reports",
            "rules", "webhooks", "notifications",
        }:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.Field) and field.choices:
                values.update(str(v) for v, _ in field.flatchoices if isinstance(v, str) and v)
    # File formats are names people use as they are ("导出 xlsx"), not codes.
    return {v for v in values if re.fullmatch(r"[a-z][a-z0-9_]*", v)} - {"xlsx", "csv", "pdf", "docx"}


class _Text(HTMLParser):
    """Visible text and the links of a page; script and style bodies are not text."""

    def __init__(self):
        super().__init__()
        self.text, self.links, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("title", "placeholder", "aria-label", "alt"):
            if attrs.get(name):
                self.text.append(attrs[name])
        if tag == "option" or (tag == "input" and attrs.get("type") in ("submit", "button")):
            if attrs.get("value") and tag == "input":
                self.text.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def crawl(client, user) -> dict[str, list[str]]:
    client.force_login(user)
    seen, queue, problems, codes = set(), deque(["/"]), {}, code_values()
    while queue and len(seen) < PAGES_PER_USER:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        text = " ".join(" ".join(parser.text).split())
        found = [m.group(0) for rx in (REPR, ESCAPED, FLOAT_ARTEFACT) for m in rx.finditer(text)]
        found += sorted({t for t in TOKEN.findall(text) if t in codes})
        if found:
            problems[path] = sorted(set(found))[:8]
        for href in parser.links:
            href = urldefrag(href)[0]
            parsed = urlparse(href)
            if parsed.scheme or parsed.netloc or not parsed.path.startswith("/"):
                continue
            target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            if target.startswith(SKIPPED_PREFIXES) or parsed.path.endswith(SKIPPED_SUFFIXES) or "format=" in target:
                continue
            if target not in seen:
                queue.append(target)
    return problems


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module inside a transaction that is rolled back afterwards (a flush would
    also remove what the migrations load, such as the national checklist)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo")
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_every_reachable_page_reads_in_chinese(demo, client, username):
    problems = crawl(client, User.objects.get(username=username))
    assert problems == {}, "\n".join(f"{path}: {found}" for path, found in problems.items())
