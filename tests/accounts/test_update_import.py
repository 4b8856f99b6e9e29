"""Importing a platform's csv export of posts: tolerant of headers and encodings, all rows or none."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AccountUpdate

from .builders import running_account

pytestmark = pytest.mark.django_db


def upload(api, user, account, text, encoding="utf-8"):
    file = SimpleUploadedFile("export.csv", text.encode(encoding), content_type="text/csv")
    return api.as_user(user).post(f"/api/v1/accounts/{account.pk}/updates/import/", {"file": file}, format="multipart")


def test_a_clean_export_is_imported_and_moves_the_last_update(api, region):
    account = running_account(region)
    text = ("发布时间,标题,链接,是否原创\n"
            "2024-09-29 10:00,调休上班提醒,https://weibo.example/1,是\n"
            "2024/10/08 09:30,开学通知,https://weibo.example/2,否\n")
    response = upload(api, region.member, account, text)
    assert response.status_code == 200, response.json()
    assert response.json() == {"rows": 2, "created": 2, "duplicates": 0, "imported": True}
    account.refresh_from_db()
    assert account.last_updated_on == dt.date(2024, 10, 8)
    assert account.last_original_on == dt.date(2024, 9, 29)  # the 8 Oct post is a reprint
    # The same file again records nothing twice.
    again = upload(api, region.member, account, text)
    assert again.json()["created"] == 0 and again.json()["duplicates"] == 2
    assert AccountUpdate.objects.filter(account=account).count() == 2


def test_header_variants_and_gbk_from_excel_are_understood(api, region):
    account = running_account(region)
    text = "发表时间,文章标题,原文链接,原创声明\n2024年10月12日 08:00,周六调休上班,https://mp.example/a,原创\n2024-10-13,周日推送,,转载\n"
    response = upload(api, region.member, account, text, encoding="gbk")
    assert response.status_code == 200, response.json()
    assert list(AccountUpdate.objects.order_by("published_at").values_list("title", "original")) == [
        ("周六调休上班", True), ("周日推送", False)
    ]


def test_any_bad_row_refuses_the_whole_file_with_a_row_by_row_report(api, region):
    account = running_account(region)
    text = ("发布时间,标题,链接,是否原创\n"
            "2024-10-08 09:30,开学通知,https://weibo.example/2,是\n"
            "昨天,没有日期,https://weibo.example/3,是\n"
            "2024-10-09 09:30,,ftp://weibo.example/4,也许\n")
    response = upload(api, region.member, account, text)
    assert response.status_code == 400
    report = response.json()
    assert report["imported"] is False and report["created"] == 0
    assert [r["row"] for r in report["row_errors"]] == [3, 4]
    assert "发布时间" in report["row_errors"][0]["errors"][0]
    assert len(report["row_errors"][1]["errors"]) == 3  # no title, not http(s), 也许 is neither yes nor no
    assert not AccountUpdate.objects.exists()
    account.refresh_from_db()
    assert account.last_updated_on is None


def test_missing_columns_and_files_are_explained(api, region):
    account = running_account(region)
    response = upload(api, region.member, account, "时间,内容\n2024-10-08,x\n")
    assert response.status_code == 400 and "是否原创" in response.json()["file"][0]
    empty = api.as_user(region.member).post(f"/api/v1/accounts/{account.pk}/updates/import/", {}, format="multipart")
    assert empty.status_code == 400 and "file" in empty.json()
    assert upload(api, region.neighbour, account, "发布时间\n").status_code == 404
