"""Forms never lose data (issue 11): in Chromium, every kind of edit form of the demo is opened and saved
unchanged, and the stored object is found unchanged — dates included (a date the browser could not show
used to come back empty and wipe the stored one)."""
import pytest
from django.core.management import call_command
from django.db import models as db_models

from accounts.models import Account, AccountStatus, Filing, FilingStatus
from organisations import access
from organisations.demo import DEMO_PASSWORD
from organisations.models import User
from publishing.models import Post, PostStatus
from sites.models import Column, Site
from webhooks.models import Webhook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Bookkeeping a save may move without changing what the user sees.
BOOKKEEPING = {"updated_at", "modified_at", "revision", "warnings", "saved_at"}


def same_markup(html: str) -> str:
    """The post editor writes <b>/<i> as <strong>/<em>: the same text, the same emphasis."""
    for old, new in (("<b>", "<strong>"), ("</b>", "</strong>"), ("<i>", "<em>"), ("</i>", "</em>")):
        html = html.replace(old, new)
    return html


def snapshot(obj) -> dict:
    obj = type(obj).objects.get(pk=obj.pk)
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in BOOKKEEPING}
    for field in obj._meta.many_to_many:
        values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    values = {k: (v.name if isinstance(v, db_models.fields.files.FieldFile) else v) for k, v in values.items()}
    if isinstance(obj, Post):
        values["body"] = same_markup(values["body"])
    return values


def targets():
    """(who signs in, the page, the form on it, its save button, the object it saves) for each kind of edit form."""
    supervisor = User.objects.get(username="office_zhang")
    out = []
    draft = Filing.objects.filter(status=FilingStatus.DRAFT, kind="open").select_related("created_by").first()
    out.append((draft.created_by, f"/filings/{draft.pk}/edit/", "#filing-form", 'button[value="save"]', draft))
    post = Post.objects.filter(status=PostStatus.DRAFT).select_related("author").first()
    out.append((post.author, f"/posts/{post.pk}/edit/", "#post-form", "button.primary", post))
    site = next(s for s in Site.objects.order_by("pk") if access.can_manage_site(supervisor, s))
    out.append((supervisor, f"/sites/{site.pk}/edit/", "main form[method=post]", "button.primary", site))
    column = Column.objects.filter(site=site).order_by("pk").first()
    out.append((supervisor, f"/columns/{column.pk}/edit/", "main form[method=post]", "button.primary", column))
    account = Account.objects.filter(status=AccountStatus.RUNNING, password_changed_on__isnull=False).order_by("pk").first() \
        or Account.objects.filter(status=AccountStatus.RUNNING).order_by("pk").first()
    out.append((supervisor, f"/accounts/{account.pk}/", f'form[action="/accounts/{account.pk}/facts/"]', "button", account))
    unit = access.managed_organisations(supervisor).exclude(parent=None).order_by("path").first()
    out.append((supervisor, f"/organisations/{unit.pk}/", f'form[action="/organisations/{unit.pk}/edit/"]', "button", unit))
    hook = Webhook.objects.order_by("pk").first()
    if hook is not None:
        out.append((supervisor, f"/webhooks/{hook.pk}/edit/", "main form[method=post]", "button.primary", hook))
    return out


def test_every_edit_form_of_the_demo_saved_unchanged_changes_nothing(page, live_server):
    call_command("seed_demo")
    checked = []
    for user, path, form_selector, button, obj in targets():
        before = snapshot(obj)
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}{path}")
        form = page.locator(form_selector).first
        with page.expect_navigation():
            form.locator(button).first.click()
        page.wait_for_load_state()
        assert page.locator(".errorlist").count() == 0, (path, page.locator(".errorlist").all_inner_texts())
        after = snapshot(obj)
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert not changed, (path, changed)
        checked.append(type(obj).__name__)
    assert {"Filing", "Post", "Site", "Column", "Account", "Organisation"} <= set(checked), checked
