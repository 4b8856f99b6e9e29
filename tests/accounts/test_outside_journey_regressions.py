"""Defects found by trying the register from outside the suite, as office staff and other systems would."""
import io
import re

import pytest
from pypdf import PdfReader

from accounts import documents
from accounts.models import Account
from govmedia.core.documents import CJKFontMissing, find_cjk_font

from .builders import open_and_approve, running_account

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


def test_a_number_of_days_beyond_any_date_finds_nothing_instead_of_a_500(api, region, client):
    running_account(region)
    response = api.as_user(region.supervisor).get("/api/v1/accounts/", {"days_since_update": HUGE})
    assert response.status_code == 400 and "days_since_update" in response.json()
    client.force_login(region.supervisor)
    assert client.get("/accounts/", {"days": HUGE}).status_code == 200
    assert client.get("/accounts/register.xlsx", {"days": HUGE}).status_code == 200


def test_the_pdf_marks_yes_no_and_status_with_glyphs_the_font_has(api, region):
    try:
        font = find_cjk_font()
    except CJKFontMissing:
        pytest.skip("no CJK font installed (CI installs fonts-wqy-microhei)")
    from fontTools.ttLib import TTCollection, TTFont

    face = TTCollection(font).fonts[0] if font.endswith(".ttc") else TTFont(font)
    glyphs = face.getBestCmap()
    assert ord(documents._mark(True)) in glyphs and ord(documents._mark(False)) in glyphs
    filing = open_and_approve(api, region)  # verified on the form, no news licence, running
    account = Account.objects.get(filings__pk=filing["id"])
    response = api.as_user(region.member).get(f"/api/v1/accounts/{account.pk}/form-pdf/")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    yes, no = documents._mark(True), documents._mark(False)
    assert f"{yes}是" in text and f"{no}否" in text  # both boxes printed, one of them ticked
    assert f"{yes}正常" in text and f"{no}注销" in text


def test_the_history_reads_in_chinese(api, region, client):
    filing = open_and_approve(api, region)
    account = Account.objects.get(filings__pk=filing["id"])
    client.force_login(region.supervisor)
    html = client.get(f"/accounts/{account.pk}/").content.decode()
    history = html[html.index("历史记录"):]
    assert "开设备案通过" in history and "状态：申请开设 → 运行中" in history
    assert "主办单位：（空） → 甲县教育局" in history
    # No field names, model paths, raw action codes or reverse relations.
    for raw in ("filing_open", "owner_leader", "accounts.Filing", "None →", ">update<", ">create<"):
        assert raw not in history, raw
    # What a reader sees: the filter's option values are codes the browser sends, not text on the page.
    audit = re.sub(r' value="[^"]*"', "", client.get("/audit/").content.decode())
    assert "开设备案通过" in audit and "filing_open" not in audit and "accounts.AccountMenu" not in audit


def test_registering_and_patching_answer_the_countdown_that_get_shows(api, region):
    from .builders import full_form

    client = api.as_user(region.supervisor)
    created = client.post("/api/v1/accounts/", full_form(region, platform="douyin"), format="json")
    assert created.status_code == 201, created.json()
    shown = client.get(f"/api/v1/accounts/{created.json()['id']}/").json()
    assert shown["deadline"] is not None
    assert (created.json()["deadline"], created.json()["days_left"]) == (shown["deadline"], shown["days_left"])
    patched = client.patch(f"/api/v1/accounts/{shown['id']}/", {"followers": 12}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["deadline"], patched.json()["followers"]) == (shown["deadline"], 12)
