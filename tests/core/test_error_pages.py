"""Office staff never see Django's English technical pages, even in the demo's DEBUG mode."""
import pytest
from django.test import RequestFactory

from govmedia.views import ChineseErrorPagesMiddleware

pytestmark = pytest.mark.django_db


def test_an_unknown_page_in_debug_mode_is_the_chinese_404_without_the_url_list(client, settings, region):
    settings.DEBUG = True
    client.force_login(region.auditor)
    response = client.get("/reports/self-inspection/does-not-exist/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page
    assert "URLconf" not in page and "Page not found" not in page
    api = client.get("/api/v1/no-such-endpoint/")
    assert api.status_code == 404 and api.json()["detail"] == "未找到。"


def test_a_developer_may_ask_for_the_technical_page(client, settings, region):
    settings.DEBUG = True
    settings.GOVMEDIA_TECHNICAL_ERRORS = True
    client.force_login(region.auditor)
    assert "URLconf" in client.get("/no-such-page/").content.decode()


def test_an_error_in_debug_mode_is_the_chinese_500_page(settings, region):
    settings.DEBUG = True
    request = RequestFactory().get("/accounts/")
    request.user = region.auditor
    middleware = ChineseErrorPagesMiddleware(lambda r: None)
    response = middleware.process_exception(request, ValueError("boom"))
    assert response.status_code == 500
    assert "boom" not in response.content.decode() and "Traceback" not in response.content.decode()
    api = middleware.process_exception(RequestFactory().get("/api/v1/accounts/"), ValueError("boom"))
    assert api.status_code == 500 and "服务器内部错误" in api.content.decode()
