"""Every main page works in Chromium under the Content-Security-Policy: no violation, no script error, and the
scoped file URLs load (a QR code image, evidence, an attachment)."""
import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from inspections.models import Rectification
from organisations.models import Organisation
from publishing.models import PostAttachment
from tests.factories import PASSWORD, AccountFactory, FilingFactory, FindingFactory, PostFactory, SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 80), "black").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def objects(region, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account = AccountFactory(owner=region.bureau, name="甲县教育发布")
    account.qr_code.save("qr.png", ContentFile(png()))
    filing = FilingFactory(account=account, created_by=region.member)
    filing.qr_code.save("qr.png", ContentFile(png()))
    post = PostFactory(organisation=region.bureau, author=region.member, body="<p>关于开展自查的通知</p>")
    attachment = PostAttachment(post=post, name="通知.pdf", size=10, uploaded_by=region.member)
    attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    finding = FindingFactory(subject=account)
    rectification = Rectification.objects.create(finding=finding, comment="已整改", submitted_by=region.member)
    rectification.evidence_file.save("e.png", ContentFile(png()))
    site = SiteFactory(owner=region.bureau)
    return {"account": account, "filing": filing, "post": post, "finding": finding, "site": site}


def test_main_pages_run_under_the_policy(page, live_server, region, objects):
    errors = []
    page.add_init_script(LISTEN)
    page.on("pageerror", lambda exc: errors.append(f"pageerror {exc}"))
    page.on("console", lambda msg: errors.append(f"console {msg.text}")
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    # Every resource a page asks for answers (the browser's own favicon guess aside).
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    def sign_in(user):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()

    def visit(paths):
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            assert response.headers.get("content-security-policy"), path
            page.wait_for_load_state("networkidle")
            violations = page.evaluate("window.__violations")
            assert violations == [], (path, violations)
            assert errors == [], (path, errors)

    o = objects
    # The unit's editor: writing pages (post form, filing form, rectification) with their scripts.
    sign_in(region.member)
    visit(["/", "/posts/new/", f"/posts/{o['post'].pk}/edit/", "/filings/new/", f"/findings/{o['finding'].pk}/",
           "/findings/mine/", f"/accounts/{o['account'].pk}/", "/notifications/"])
    # The supervisor: lists, details, the region's dashboard and reports, the API docs.
    sign_in(region.supervisor)
    visit([
        "/", "/accounts/", f"/accounts/{o['account'].pk}/", f"/accounts/{o['account'].pk}/form/", "/filings/",
        f"/filings/{o['filing'].pk}/", "/sites/", f"/sites/{o['site'].pk}/", "/posts/", f"/posts/{o['post'].pk}/",
        "/review/", "/findings/", f"/findings/{o['finding'].pk}/", "/countdown/", "/inspections/", "/reports/",
        "/reports/monthly/?month=2026-09", "/reports/quarterly/?quarter=2026-Q3", "/notifications/",
        "/organisations/", f"/organisations/{region.county.pk}/", "/calendar/", "/webhooks/", "/checklist/",
        "/people/", "/register/", "/word-lists/", "/review/policies/", "/error-reports/", "/messages/", "/scans/",
        f"/sites/{o['site'].pk}/monitoring/", "/reports/self-inspection/", "/api/docs/",
    ])
    # The QR code image on the account page really loads through its scoped URL.
    page.goto(f"{live_server.url}/accounts/{o['account'].pk}/")
    image = page.locator("img[alt$='二维码']")
    assert image.get_attribute("src") == f"/files/account-qr/{o['account'].pk}/"
    assert page.evaluate("(img) => img.complete && img.naturalWidth", image.element_handle()) == 80
    # The swagger page really draws the API.
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .information-container", timeout=20000)
    assert page.evaluate("window.__violations") == []
    # A confirm that used to be an inline handler (now static/js/app.js) still asks first; dismissed, nothing goes.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server.url}/organisations/{region.section.pk}/")
    page.get_by_role("button", name="删除单位").click()
    page.wait_for_timeout(300)
    assert asked == ["确定删除该单位？"]
    assert Organisation.objects.filter(pk=region.section.pk).exists()


def test_the_admin_runs_under_the_policy(page, live_server, django_user_model):
    admin = django_user_model.objects.create_superuser(username="root", password=PASSWORD, email="root@example.gov.cn")
    page.add_init_script(LISTEN)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    for path in ("/admin/", "/admin/inspections/finding/", "/admin/inspections/messagepolicy/add/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__violations") == [], path
        assert errors == [], (path, errors)
