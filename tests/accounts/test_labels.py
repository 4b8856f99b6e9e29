"""People read the Chinese labels of the platform and the account type, never their stored codes: on the
register's list, an account's page, a filing's page (whose 备案登记表 is drawn from the one declaration) and the
register spreadsheet."""
import io
import re

import pytest
from openpyxl import load_workbook

from accounts import filings
from accounts.documents import register_xlsx
from accounts.models import Account, AccountType, FilingStatus, Platform
from tests.factories import AccountFactory, FilingFactory

pytestmark = pytest.mark.django_db

CODES = re.compile(r"\b(service|subscription|miniprogram|wechat|weibo)\b")


def visible_text(response) -> str:
    """What a reader sees: the page without scripts, styles and tags (attribute values such as an option's
    code are not shown)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def wechat_accounts(region):
    service = AccountFactory(name="甲县教育服务号", owner=region.bureau, supervisor=region.county,
                             platform=Platform.WECHAT, account_type=AccountType.SERVICE)
    subscription = AccountFactory(name="甲县卫健订阅号", owner=region.other_bureau, supervisor=region.county,
                                  platform=Platform.WECHAT, account_type=AccountType.SUBSCRIPTION)
    return service, subscription


def test_the_list_shows_labels_not_codes(client, region, wechat_accounts):
    client.force_login(region.supervisor)
    text = visible_text(client.get("/accounts/"))
    assert "甲县教育服务号" in text and "甲县卫健订阅号" in text
    assert "微信·服务号" in text and "微信·订阅号" in text
    assert not CODES.search(text), CODES.search(text)


def test_the_account_page_shows_labels_not_codes(client, region, wechat_accounts):
    service, _ = wechat_accounts
    client.force_login(region.supervisor)
    text = visible_text(client.get(f"/accounts/{service.pk}/"))
    assert "微信" in text and "服务号" in text
    assert not CODES.search(text), CODES.search(text)


def test_the_filing_page_draws_the_form_from_the_declaration(client, region, wechat_accounts):
    service, _ = wechat_accounts
    form = filings.to_json({**filings.from_account(service), "account_type": AccountType.SUBSCRIPTION, "verified": True})
    filing = FilingFactory(account=service, created_by=region.member, status=FilingStatus.DRAFT, form=form)
    client.force_login(region.member)
    text = visible_text(client.get(f"/filings/{filing.pk}/"))
    assert not CODES.search(text), CODES.search(text)
    # Every declared field is listed under its section, choices by their Chinese label.
    for section, fields in filings.SECTIONS:
        assert section in text
        for field in fields:
            if field.kind not in (filings.IMAGE, filings.BOOL):
                assert (field.page_label or field.label) in text, field.name
    assert "订阅号" in text and "微信" in text
    assert "是否通过认证" in text and "是否取得互联网新闻信息服务资质" in text
    assert "（主办单位自行承办）" in text  # no 承办单位 on the form: the owner runs the account itself


def test_the_register_spreadsheet_shows_labels_not_codes(wechat_accounts):
    book = load_workbook(io.BytesIO(register_xlsx(Account.objects.order_by("name"))))
    cells = [str(cell) for row in book.active.iter_rows(values_only=True) for cell in row if cell is not None]
    assert "服务号" in cells and "订阅号" in cells and "微信" in cells
    assert not [cell for cell in cells if CODES.fullmatch(cell)]
