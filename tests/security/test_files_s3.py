"""Files on an S3-compatible store (issue 12, item 1: "several servers"), against a running S3 server: moto's
server mode on a local port. The storage is the one the settings build from the environment (FILE_STORAGE=s3 and
S3_*); evidence uploaded through the API lands in the bucket under a random name, is read back through the scoped
view, and a read from outside its scope is a 404. Pure Python: runs in `make test`."""
import os
import runpy
from pathlib import Path
from unittest import mock

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from inspections.models import Rectification
from tests.factories import FindingFactory, AccountFactory, token_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BUCKET = "govmedia-files"
KEYS = {"S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(settings, s3_endpoint):
    """The default storage as govmedia/settings/base.py builds it for FILE_STORAGE=s3, pointed at the server."""
    env = {"FILE_STORAGE": "s3", "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": s3_endpoint, "S3_REGION": "us-east-1",
           "S3_PREFIX": "county-a", **KEYS}
    with mock.patch.dict(os.environ, env):
        built = runpy.run_path(str(Path(django_settings.BASE_DIR) / "govmedia" / "settings" / "base.py"))
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    if BUCKET not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": built["STORAGES"]["default"]}
    return client


def test_evidence_goes_to_the_bucket_and_comes_back_only_within_scope(s3, region, api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # nothing may land on the local disk
    finding = FindingFactory(subject=AccountFactory(owner=region.bureau, name="甲县教育发布"))
    response = api.as_user(region.member).post(
        f"/api/v1/findings/{finding.pk}/rectify/",
        {"comment": "已整改", "evidence_file": SimpleUploadedFile("整改说明.pdf", PDF, "application/pdf")},
        format="multipart")
    assert response.status_code == 201, response.content
    saved = Rectification.objects.get(pk=response.json()["id"])

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert f"county-a/{saved.evidence_file.name}" in keys
    assert s3.get_object(Bucket=BUCKET, Key=f"county-a/{saved.evidence_file.name}")["Body"].read() == PDF
    assert not any(tmp_path.rglob("*.pdf"))

    # Read back through the scoped view (session) and the API's (token): the bytes from the bucket.
    member = Client()
    member.force_login(region.member)
    page = member.get(f"/files/evidence/{saved.pk}/")
    assert page.status_code == 200 and b"".join(page.streaming_content) == PDF
    via_token = Client(HTTP_AUTHORIZATION=f"Token {token_for(region.supervisor)}").get(f"/api/v1/files/evidence/{saved.pk}/")
    assert via_token.status_code == 200 and b"".join(via_token.streaming_content) == PDF

    # Outside the scope: another county's supervisor, by session or token, gets a 404, never the bytes.
    outsider = Client()
    outsider.force_login(region.outsider)
    assert outsider.get(f"/files/evidence/{saved.pk}/").status_code == 404
    assert Client(HTTP_AUTHORIZATION=f"Token {token_for(region.outsider)}").get(
        f"/api/v1/files/evidence/{saved.pk}/").status_code == 404
    # Nor is the bucket's own URL ever handed out.
    assert s3.meta.endpoint_url not in api.as_user(region.member).get(f"/api/v1/findings/{finding.pk}/").content.decode()


def test_a_stored_report_is_written_to_and_read_from_the_bucket(s3, region):
    from reports.periods import parse_month
    from reports.services import store_monthly_documents, stored_path

    assert store_monthly_documents(parse_month("2026-09"), [region.county]) == [f"2026-09/{region.county.pk}"]
    name = stored_path("monthly", region.county.pk, "2026-09", "pdf").name
    assert s3.get_object(Bucket=BUCKET, Key=f"county-a/{name}")["Body"].read().startswith(b"%PDF")
    # A rerun replaces the object under the same key (not a second object under another name).
    before = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert store_monthly_documents(parse_month("2026-09"), [region.county]) == [f"2026-09/{region.county.pk}"]
    assert {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]} == before
    url = f"/reports/stored/monthly/2026-09/{region.county.pk}.pdf"
    supervisor = Client()
    supervisor.force_login(region.supervisor)
    response = supervisor.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    outsider = Client()
    outsider.force_login(region.outsider)
    assert outsider.get(url).status_code == 404
