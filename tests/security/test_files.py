"""Files are scoped objects (issue 12, item 1; API.md "Wave 2 additions → Security"): every upload and stored
report is served only after its object's scope check, with the API's authentication (token or session); the
type is checked by content with per-kind limits; names are random; nothing is served from /media/; what a
browser could run is sent as an attachment with nosniff."""
import io
import re
import zipfile
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook
from PIL import Image

from govmedia.core.audit import AuditEntry
from govmedia.core.files import detect
from inspections.models import Rectification
from organisations.models import OrganisationKind, Role
from publishing.models import PostAttachment
from tests.factories import (
    AccountFactory, FilingFactory, FindingFactory, OrganisationFactory, PostFactory, person, token_for,
)

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
# A PDF as far as any content check can tell: the signature and a trailer.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="60" height="60">'
       b"<script>alert(1)</script></svg>")


def png(size=(60, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, "PNG")
    return out.getvalue()


def xlsx() -> bytes:
    out = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "整改台账"
    book.save(out)
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return out.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def stored(region, media):
    """One file of every kind, all belonging to 甲县教育局 (county A), and the people around them."""
    # A contractor inside county A that runs another unit's account: a real scope, just not this account's.
    contractor_company = OrganisationFactory(name="甲县融媒体运营公司", kind=OrganisationKind.CONTRACTOR,
                                             parent=region.county)
    contractor = person("contractor", contractor_company, Role.OPERATOR)
    AccountFactory(owner=region.other_bureau, operator=contractor_company, name="甲县卫健发布")
    account = AccountFactory(owner=region.bureau, name="甲县教育发布")
    account.qr_code.save("qr.png", ContentFile(png()))
    filing = FilingFactory(account=account, created_by=region.member)
    filing.qr_code.save("qr.png", ContentFile(png()))
    post = PostFactory(organisation=region.bureau, author=region.member)
    attachment = PostAttachment(post=post, name="关于开展自查的通知.pdf", size=len(PDF), uploaded_by=region.member)
    attachment.file.save("a.pdf", ContentFile(PDF))
    finding = FindingFactory(subject=account)
    rectification = Rectification.objects.create(finding=finding, comment="已整改", submitted_by=region.member)
    rectification.evidence_file.save("e.pdf", ContentFile(PDF))
    return SimpleNamespace(
        contractor=contractor, account=account, filing=filing, post=post, attachment=attachment, finding=finding,
        rectification=rectification,
        files={"account-qr": account.pk, "filing-qr": filing.pk, "attachment": attachment.pk,
               "evidence": rectification.pk},
    )


def session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token_for(user)}")


def test_cross_county_matrix_over_every_file_kind(region, stored):
    for code, pk in stored.files.items():
        page_url, api_url = f"/files/{code}/{pk}/", f"/api/v1/files/{code}/{pk}/"
        # The unit's own people and its supervisor read it, by session on pages and by token on the API.
        for user in (region.member, region.supervisor):
            for client, url in ((session(user), page_url), (token_client(user), api_url), (session(user), api_url)):
                response = client.get(url)
                assert response.status_code == 200, (code, user, url)
                assert b"".join(response.streaming_content)
        # Another county's supervisor, a contractor of another account: as if it did not exist.
        for user in (region.outsider, stored.contractor):
            for client, url in ((session(user), page_url), (token_client(user), api_url)):
                assert client.get(url).status_code == 404, (code, user, url)
        # Anonymous: 401 on the API, the sign-in page on pages; a bad token is anonymous too.
        assert Client().get(api_url).status_code == 401
        assert Client(HTTP_AUTHORIZATION="Token not-a-token").get(api_url).status_code == 401
        response = Client().get(page_url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
        # A missing object answers exactly like an out-of-scope one.
        assert session(region.member).get(f"/files/{code}/{pk + 1000}/").status_code == 404


def test_nothing_is_served_from_media(region, stored):
    client = session(region.supervisor)
    for name in (stored.account.qr_code.name, stored.attachment.file.name, stored.rectification.evidence_file.name):
        assert client.get(f"/media/{name}").status_code == 404


def test_storage_names_are_random_not_derived_from_ids_or_names(region, stored):
    names = [stored.account.qr_code.name, stored.filing.qr_code.name, stored.attachment.file.name,
             stored.rectification.evidence_file.name]
    for name, folder in zip(names, ("accounts/qr", "accounts/qr", "posts", "rectifications")):
        assert re.fullmatch(rf"{folder}/[0-9a-f]{{32}}\.(png|pdf)", name), name
    assert len(set(names)) == len(names)
    assert str(stored.post.pk) not in stored.attachment.file.name.split("/")[0]
    assert "通知" not in stored.attachment.file.name


def test_api_fields_keep_their_names_and_point_at_the_scoped_urls(api, region, stored):
    client = api.as_user(region.member)
    account = client.get(f"/api/v1/accounts/{stored.account.pk}/").json()
    assert account["qr_code"].endswith(f"/api/v1/files/account-qr/{stored.account.pk}/")
    filing = client.get(f"/api/v1/filings/{stored.filing.pk}/").json()
    assert filing["qr_code"].endswith(f"/api/v1/files/filing-qr/{stored.filing.pk}/")
    post = client.get(f"/api/v1/posts/{stored.post.pk}/").json()
    assert post["attachments"][0]["file"].endswith(f"/api/v1/files/attachment/{stored.attachment.pk}/")
    finding = client.get(f"/api/v1/findings/{stored.finding.pk}/").json()
    assert finding["rectifications"][0]["evidence_file"].endswith(f"/api/v1/files/evidence/{stored.rectification.pk}/")
    # The URL the API gives is the one that works, with the same token.
    assert client.get(account["qr_code"]).status_code == 200


def test_pages_link_to_the_scoped_urls(region, stored):
    client = session(region.member)
    page = client.get(f"/accounts/{stored.account.pk}/").content.decode()
    assert f'src="/files/account-qr/{stored.account.pk}/"' in page and "/media/" not in page
    page = client.get(f"/findings/{stored.finding.pk}/").content.decode()
    assert f'href="/files/evidence/{stored.rectification.pk}/"' in page and "/media/" not in page


# --- content checks -----------------------------------------------------------------------------------------------

def rectify(client, finding, file):
    return client.post(f"/api/v1/findings/{finding.pk}/rectify/", {"comment": "已整改", "evidence_file": file},
                       format="multipart")


@pytest.mark.parametrize("name, content", [
    ("整改报告.pdf", HTML),                 # HTML renamed .pdf: refused by its content
    ("截图.svg", SVG),                       # SVG runs script in a browser
    ("截图.png", SVG),                       # ... also under an image's name
    ("data.xml", b'<?xml version="1.0"?><a/>'),
    ("run.js", b"alert(1)"),
    ("程序.exe", b"MZ\x90\x00" + b"\x00" * 200),
])
def test_evidence_refuses_what_is_not_an_image_pdf_or_office_file(api, region, stored, name, content):
    response = rectify(api.as_user(region.member), stored.finding, upload(name, content, "application/pdf"))
    assert response.status_code == 400, response.content
    message = response.json()["evidence_file"][0]
    assert "佐证材料" in message and re.search(r"[\u4e00-\u9fff]", message)
    assert Rectification.objects.filter(finding=stored.finding).count() == 1  # only the fixture's


def test_evidence_over_20_mb_is_refused_and_20_mb_is_accepted(api, region, stored):
    client = api.as_user(region.member)
    response = rectify(client, stored.finding, upload("扫描件.pdf", PDF + b"0" * (21 * MB)))
    assert response.status_code == 400 and "20 MB" in response.json()["evidence_file"][0]
    response = rectify(client, stored.finding, upload("扫描件.pdf", PDF + b"0" * (20 * MB - len(PDF))))
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("name, content, ext", [
    ("整改说明.pdf", PDF, "pdf"),
    ("现场照片.jpg", png(), "png"),         # the extension comes from the content, not the name
    ("台账.xlsx", xlsx(), "xlsx"),
    ("报告.docx", docx(), "docx"),
    ("报告.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "doc"),
])
def test_evidence_accepts_images_pdf_and_office_files_under_random_names(api, region, stored, name, content, ext):
    response = rectify(api.as_user(region.member), stored.finding, upload(name, content))
    assert response.status_code == 201, response.content
    saved = Rectification.objects.get(pk=response.json()["id"])
    assert re.fullmatch(rf"rectifications/[0-9a-f]{{32}}\.{ext}", saved.evidence_file.name)
    assert response.json()["evidence_file"].endswith(f"/api/v1/files/evidence/{saved.pk}/")


def test_qr_codes_must_be_images_by_content(api, region, media):
    account = AccountFactory(owner=region.bureau)
    filing = FilingFactory(account=account, created_by=region.member)
    client = api.as_user(region.member)
    for name, content in (("qr.svg", SVG), ("qr.png", HTML), ("qr.png", PDF)):
        response = client.post(f"/api/v1/filings/{filing.pk}/qr-code/", {"qr_code": upload(name, content)},
                               format="multipart")
        assert response.status_code == 400, (name, response.content)
        assert "二维码" in response.json()["qr_code"][0]
    response = client.post(f"/api/v1/filings/{filing.pk}/qr-code/", {"qr_code": upload("二维码.png", png())},
                           format="multipart")
    assert response.status_code == 200, response.content
    filing.refresh_from_db()
    assert re.fullmatch(r"accounts/qr/[0-9a-f]{32}\.png", filing.qr_code.name)


def test_post_attachments_take_what_the_form_says_by_content(api, region, media, settings):
    post = PostFactory(organisation=region.bureau, author=region.member)
    client = api.as_user(region.member)

    def attach(name, content):
        return client.post(f"/api/v1/posts/{post.pk}/attachments/", {"file": upload(name, content)}, format="multipart")

    for name, content in (("通知.pdf", HTML), ("图.svg", SVG), ("说明.txt", HTML), ("a.exe", b"MZ" + b"\x00" * 100)):
        response = attach(name, content)
        assert response.status_code == 400, (name, response.content)
        assert "附件" in response.json()["file"][0]
    settings.POST_ATTACHMENT_MAX_MB = 1
    assert attach("大文件.pdf", PDF + b"0" * MB).status_code == 400
    settings.POST_ATTACHMENT_MAX_MB = 20
    for name, content in (("通知.pdf", PDF), ("说明.txt", "第一条 说明文字".encode()), ("表.xlsx", xlsx())):
        response = attach(name, content)
        assert response.status_code == 201, (name, response.content)
        assert response.json()["name"] == name
    # A type the deployment did not list is refused even though we recognise it.
    settings.POST_ATTACHMENT_EXTENSIONS = ["pdf"]
    assert attach("表.xlsx", xlsx()).status_code == 400


def test_detection_reads_content_not_names():
    assert detect(upload("x.txt", PDF)) == "pdf"
    assert detect(upload("x.pdf", png())) == "png"
    assert detect(upload("x.pdf", HTML)) is None
    assert detect(upload("x.png", SVG)) is None
    assert detect(upload("x.zip", docx())) == "docx"
    assert detect(upload("x.zip", xlsx())) == "xlsx"


# --- how files are sent -------------------------------------------------------------------------------------------

def test_images_and_pdf_show_inline_anything_else_is_an_attachment_with_nosniff(region, stored):
    client = session(region.member)
    qr = client.get(f"/files/account-qr/{stored.account.pk}/")
    assert qr["Content-Type"] == "image/png" and qr["X-Content-Type-Options"] == "nosniff"
    assert qr["Content-Disposition"].startswith("inline")
    evidence = client.get(f"/files/evidence/{stored.rectification.pk}/")
    assert evidence["Content-Type"] == "application/pdf" and evidence["Content-Disposition"].startswith("inline")
    # An Office file goes to disk, under its Chinese name (RFC 5987).
    office = PostAttachment(post=stored.post, name="自查报告.docx", size=1, uploaded_by=region.member)
    office.file.save("x.docx", ContentFile(docx()))
    response = client.get(f"/files/attachment/{office.pk}/")
    assert response["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''%E8%87%AA%E6%9F%A5%E6%8A%A5%E5%91%8A.docx" in response["Content-Disposition"]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    # A file stored before these checks (an .html from the old upload) is never rendered from our origin.
    storage = Rectification._meta.get_field("evidence_file").storage
    old_name = storage.save("rectifications/old/page.html", ContentFile(HTML))
    Rectification.objects.filter(pk=stored.rectification.pk).update(evidence_file=old_name)
    old = client.get(f"/files/evidence/{stored.rectification.pk}/")
    assert old.status_code == 200
    assert old["Content-Type"] == "application/octet-stream" and old["Content-Disposition"].startswith("attachment")
    assert old["X-Content-Type-Options"] == "nosniff" and "sandbox" in old["Content-Security-Policy"]


# --- stored reports -----------------------------------------------------------------------------------------------

def test_stored_reports_are_scoped_unguessable_and_their_download_audited(region, stored, media):
    from reports.periods import parse_month
    from reports.services import store_monthly_documents, stored_path

    assert store_monthly_documents(parse_month("2026-09"), [region.county]) == [f"2026-09/{region.county.pk}"]
    path = stored_path("monthly", region.county.pk, "2026-09", "pdf")
    assert re.fullmatch(r"reports/monthly/2026-09/[0-9a-f]{40}\.pdf", path.name)
    assert not (media / "reports" / "monthly" / "2026-09" / f"{region.county.pk}.pdf").exists()
    url = f"/reports/stored/monthly/2026-09/{region.county.pk}.pdf"
    before = AuditEntry.objects.filter(additional_data__action="file_download").count()
    response = session(region.supervisor).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"] == "nosniff"
    entry = AuditEntry.objects.filter(additional_data__action="file_download").latest("pk")
    assert AuditEntry.objects.filter(additional_data__action="file_download").count() == before + 1
    assert entry.actor == region.supervisor and entry.additional_data["period"] == "2026-09"
    # Out of scope: another county's supervisor, the contractor, the unit's own editor (the report is the region's).
    for user in (region.outsider, stored.contractor, region.member):
        assert session(user).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    assert session(region.supervisor).get(f"/media/{path.name}").status_code == 404


def test_report_downloads_from_the_api_are_audited(api, region, stored):
    from reports import tasks
    from reports.models import Export

    before = AuditEntry.objects.filter(additional_data__action="file_download").count()
    query = {"month": "2026-09", "organisation": region.county.pk, "format": "xlsx"}
    # Not stored for this caller: built by the worker (202), then downloaded (200), and that is the download.
    assert api.as_user(region.supervisor).get("/api/v1/reports/monthly/", query).status_code == 202
    tasks.export_report(str(Export.objects.get().pk))
    response = api.as_user(region.supervisor).get("/api/v1/reports/monthly/", query)
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"] or "filename=" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(additional_data__action="file_download").count() == before + 1


# --- the S3 store -------------------------------------------------------------------------------------------------

def test_the_s3_store_is_configured_from_the_environment(tmp_path):
    """FILE_STORAGE=s3 selects django-storages' S3 backend with the documented variables (no network: the client
    is only built, never used)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "govmedia.settings.test", "FILE_STORAGE": "s3",
           "S3_BUCKET": "govmedia-files", "S3_ENDPOINT_URL": "http://127.0.0.1:9", "S3_ACCESS_KEY_ID": "k",
           "S3_SECRET_ACCESS_KEY": "s", "S3_PREFIX": "county-a", "GOVMEDIA_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    code = (
        "import django; django.setup()\n"
        "from django.core.files.storage import default_storage as s\n"
        "from govmedia.core.files import Stored\n"
        "print(s.__class__.__module__, s.__class__.__name__, s.bucket_name, s.endpoint_url, s.location,"
        " s.default_acl, s.file_overwrite, Stored('reports/x.pdf').storage.__class__.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == ["storages.backends.s3", "S3Storage", "govmedia-files", "http://127.0.0.1:9",
                                  "county-a", "private", "False", "S3Storage"]


def test_the_registration_form_pdf_reads_the_qr_code_through_the_storage(api, region, stored):
    """The printed 备案登记表 embeds the QR code read through the storage (disk or S3), not a local path."""
    from pypdf import PdfReader

    response = api.as_user(region.member).get(f"/api/v1/accounts/{stored.account.pk}/form-pdf/")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert any(page.images for page in reader.pages)
    assert "二维码图片无法读取" not in "".join(page.extract_text() for page in reader.pages)


def test_s3_without_a_bucket_refuses_to_start(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "govmedia.settings.test", "FILE_STORAGE": "s3",
           "GOVMEDIA_VAR_DIR": str(tmp_path)}
    env.pop("S3_BUCKET", None)
    out = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode != 0 and "S3_BUCKET" in out.stderr
