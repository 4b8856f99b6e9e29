"""The 备案登记表 is declared once (accounts/filings.py): the API, the page form, the snapshot, the printed form
and the register spreadsheet all follow the declaration, and what the page offers the API accepts and the
paper shows in Chinese."""
import datetime as dt
import io
import string

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from accounts import documents
from accounts import filings as form_rules
from accounts.api import AccountSerializer, RegistrationFormSerializer
from accounts.forms import RegistrationForm
from accounts.models import Account, AccountType, Platform
from govmedia.core.documents import CJKFontMissing, find_cjk_font
from govmedia.core.files import scoped_url

from .builders import full_form

pytestmark = pytest.mark.django_db


def offered(field_name, user):
    """The values the page form offers for a choice field (the blank "—" left out)."""
    return [value for value, _ in RegistrationForm(user=user).fields[field_name].choices if value]


def qr_png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), "black").save(buffer, "PNG")
    return SimpleUploadedFile("qr.png", buffer.getvalue(), content_type="image/png")


def test_every_platform_and_account_type_the_page_offers_is_filed_by_the_api_and_printed_in_chinese(
    api, region, client, settings, tmp_path
):
    # Regression: the page offered 短视频号 (video) and 其他 (other), which the printed form showed as raw codes.
    settings.MEDIA_ROOT = tmp_path
    platforms, types = offered("platform", region.member), offered("account_type", region.member)
    assert platforms == Platform.values and types == AccountType.values
    # Each platform once (one live account per owner and platform), each type at least once; WeChat with a
    # WeChat type, as submission demands.
    cases = [(platform, AccountType.SUBSCRIPTION if platform == Platform.WECHAT else types[index % len(types)])
             for index, platform in enumerate(platforms)]
    assert {kind for _, kind in cases} == set(types)
    try:
        find_cjk_font()
        pdf_readable = True
    except CJKFontMissing:
        pdf_readable = False
    client.force_login(region.member)
    for platform, kind in cases:
        form = full_form(region, name=f"甲县教育{platform}", platform=platform, account_type=kind, platform_id=platform)
        created = api.as_user(region.member).post(
            "/api/v1/filings/", {"kind": "open", "event_date": "2024-09-27", "reason": "开设", "form": form}, format="json"
        )
        assert created.status_code == 201, (platform, kind, created.json())
        filing_id = created.json()["id"]
        url = f"/api/v1/filings/{filing_id}/qr-code/"
        assert api.as_user(region.member).post(url, {"qr_code": qr_png()}, format="multipart").status_code == 200
        assert api.as_user(region.member).post(f"/api/v1/filings/{filing_id}/submit/").status_code == 200, platform
        assert api.as_user(region.owner).post(f"/api/v1/filings/{filing_id}/approve/", {}, format="json").status_code == 200
        assert api.as_user(region.supervisor).post(f"/api/v1/filings/{filing_id}/approve/", {}, format="json").status_code == 200
        account = Account.objects.get(filings__pk=filing_id)
        assert (account.platform, account.account_type) == (platform, kind)
        shown = f"{Platform(platform).label}（{AccountType(kind).label}）"
        html = client.get(f"/accounts/{account.pk}/form/").content.decode()
        assert shown in html, shown
        assert f'<img src="{scoped_url(account.qr_code)}"' in html  # served by its scoped view, never /media/
        if pdf_readable:
            pdf = PdfReader(io.BytesIO(client.get(f"/accounts/{account.pk}/form.pdf").content))
            assert shown in pdf.pages[0].extract_text(), shown
            assert pdf.pages[0].images, "the QR code is drawn"


def test_a_code_no_choice_knows_is_refused_by_the_api(api, region):
    form = full_form(region, account_type="wechat_channel")
    response = api.as_user(region.member).post(
        "/api/v1/filings/", {"kind": "open", "event_date": "2024-09-27", "form": form}, format="json"
    )
    assert response.status_code == 400 and "account_type" in response.json()["form"]


def test_the_api_the_page_form_and_the_snapshot_carry_exactly_the_declared_fields(region):
    declared = [field.name for field in form_rules.FIELDS]
    data = [field.name for field in form_rules.DATA_FIELDS]
    assert list(RegistrationForm(user=region.member).fields) == declared
    assert list(RegistrationFormSerializer().fields) == data + ["menus", "team"]
    assert set(declared) <= set(AccountSerializer.Meta.fields)
    assert set(data) <= set(form_rules.to_json(form_rules.empty_form()))
    assert [field.name for _, fields in form_rules.SECTIONS for field in fields] == declared
    for field in form_rules.FIELDS:
        Account._meta.get_field(field.name)  # every field is stored on the account
        assert (field.choices is not None) == (field.kind == form_rules.CHOICE), field.name
        assert (field.units is not None) == (field.kind == form_rules.UNIT), field.name
    choices = RegistrationFormSerializer().fields["account_type"].choices
    assert list(choices) == AccountType.values


def test_every_declared_field_reaches_the_printed_form(region):
    """A value put in each field turns up in the printed tables: no field is declared but left off the paper."""
    account = Account(owner=region.bureau, supervisor=region.county, operator=region.other_bureau,
                      platform=Platform.OTHER, account_type=AccountType.VIDEO)
    expected = {}
    for index, field in enumerate(form_rules.DATA_FIELDS):
        if field.kind in (form_rules.TEXT, form_rules.LONG_TEXT, form_rules.URL):
            value = f"值{index:02d}"
            setattr(account, field.name, value)
            expected[field.name] = value
        elif field.kind == form_rules.DATE:
            setattr(account, field.name, dt.date(2020, 1, 1) + dt.timedelta(days=index))
            expected[field.name] = getattr(account, field.name).isoformat()
        elif field.kind == form_rules.COUNT:
            setattr(account, field.name, 9000 + index)
            expected[field.name] = str(9000 + index)
        else:
            expected[field.name] = form_rules.display(field, getattr(account, field.name))
    cells = [cell for block in (form_rules.TOP, form_rules.BOTTOM)
             for row in documents.printed_rows(account, block) for cell in row]
    printed = " ".join(cell.text for cell in cells)
    for name, text in expected.items():
        if form_rules.FIELD[name].kind == form_rules.BOOL:
            continue
        assert text in printed, name
    headers = {cell.header for cell in cells}
    for field in form_rules.FIELDS:
        if field.kind in (form_rules.BOOL, form_rules.IMAGE):
            assert (field.printed.header or field.label) in headers, field.name


def test_the_register_columns_run_from_a_without_gaps():
    letters = [column.letter for column in documents.REGISTER_COLUMNS]
    assert letters == list(string.ascii_uppercase[: len(letters)])
