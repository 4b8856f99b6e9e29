"""The site and column pages as office staff use them."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sites.models import Column, ColumnUpdate, Site
from sites.services import column_add_update
from tests.factories import BrokenLinkFactory, ColumnFactory, ProbeFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def portal(region):
    return SiteFactory(name="甲县人民政府门户网站", owner=region.county, supervisor=region.county)


def test_the_navigation_leads_to_the_site_list(signed_in, region, portal):
    page = signed_in(region.supervisor).get(reverse("home")).content.decode()
    assert "网站与栏目" in page and reverse("site-list") in page
    listing = signed_in(region.supervisor).get(reverse("site-list")).content.decode()
    assert "甲县人民政府门户网站" in listing and "登记网站" in listing


def test_an_editor_sees_only_their_units_sites_and_no_register_button(signed_in, region, portal):
    SiteFactory(name="甲县教育局网站", owner=region.bureau)
    page = signed_in(region.member).get(reverse("site-list")).content.decode()
    assert "甲县教育局网站" in page and "甲县人民政府门户网站" not in page
    assert "登记网站" not in page
    assert signed_in(region.member).get(reverse("site-detail", args=[portal.pk])).status_code == 404
    assert signed_in(region.member).get(reverse("site-create")).status_code == 403


def test_registering_a_site_through_the_form(signed_in, region):
    client = signed_in(region.supervisor)
    response = client.post(reverse("site-create"), {
        "name": "甲县教育局网站", "url": "https://jy.example.gov.cn/", "owner": region.bureau.pk,
        "supervisor": region.county.pk, "status": "running", "launched_on": "2024-10-08", "has_consultation_channel": "on",
    })
    site = Site.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("site-detail", args=[site.pk])
    assert site.owner == region.bureau and site.has_consultation_channel


def test_a_bad_form_shows_errors_next_to_the_fields(signed_in, region):
    response = signed_in(region.supervisor).post(reverse("site-create"), {"name": "", "url": "nope", "status": "running"})
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count('class="error"') >= 3  # name, url, owner
    assert not Site.objects.exists()


def test_the_site_page_shows_the_column_tree_with_last_updates(signed_in, region, portal):
    top = ColumnFactory(site=portal, name="政务公开", category="other")
    policy = ColumnFactory(site=portal, name="政策文件", category="policy", parent=top, responsible=region.bureau)
    ColumnFactory(site=portal, name="政务动态", category="news")
    column_add_update(column=policy, published_at=timezone.make_aware(dt.datetime(2024, 10, 12, 9)), title="关于…的通知")
    page = signed_in(region.supervisor).get(reverse("site-detail", args=[portal.pk])).content.decode()
    tree = page[page.index('id="column-tree"'):]
    order = [tree.index(f">{name}</a>") for name in ("政务公开", "政策文件", "政务动态")]
    assert order == sorted(order)  # the child right under its parent
    assert f'data-parent="{top.pk}"' in page
    assert "2024-10-12" in page and "从未更新" in page and "甲县教育局" in page


def test_adding_a_child_column_and_a_duplicate(signed_in, region, portal):
    top = ColumnFactory(site=portal, name="政务公开", category="other")
    client = signed_in(region.supervisor)
    url = reverse("column-create", args=[portal.pk])
    response = client.post(url, {"name": "政策解读", "parent": top.pk, "category": "policy"})
    assert response.status_code == 302
    response = client.post(url, {"name": "政策解读", "parent": top.pk, "category": "policy"})
    assert response.status_code == 400 and "已有名为“政策解读”的栏目" in response.content.decode()
    assert Column.objects.filter(name="政策解读").count() == 1
    assert signed_in(region.member).get(url).status_code == 404  # the portal is not in the editor's scope


def test_recording_an_update_on_the_column_page(signed_in, region, portal):
    column = ColumnFactory(site=portal, name="教育动态", responsible=region.bureau)
    client = signed_in(region.member)  # the responsible unit's editor
    response = client.post(reverse("column-detail", args=[column.pk]), {
        "published_at": "2024-10-12T09:30", "title": "调休上班日开展校园安全检查", "url": "",
    })
    assert response.status_code == 302
    column.refresh_from_db()
    assert column.last_updated_on == dt.date(2024, 10, 12)
    assert ColumnUpdate.objects.get(column=column).source == "manual"
    page = client.get(reverse("column-detail", args=[column.pk])).content.decode()
    assert "调休上班日开展校园安全检查" in page and "手工登记" in page


def test_the_import_page_reports_refused_rows_and_imports_nothing(signed_in, region, portal):
    client = signed_in(region.supervisor)
    body = "栏目名称,上级栏目,更新类别\n政务动态,,动态要闻\n人事信息,,每周\n".encode()
    response = client.post(reverse("column-import", args=[portal.pk]), {"file": SimpleUploadedFile("c.csv", body)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "未导入" in page and "未知的更新类别“每周”" in page and ">3<" in page
    assert not Column.objects.exists()
    body = "栏目名称,上级栏目,更新类别\n政务动态,,动态要闻\n人事信息,,按年更新\n".encode()
    response = client.post(reverse("column-import", args=[portal.pk]), {"file": SimpleUploadedFile("c.csv", body)})
    assert response.status_code == 302
    assert set(Column.objects.values_list("name", flat=True)) == {"政务动态", "人事信息"}
    template = client.get(reverse("column-import-template", args=[portal.pk]))
    assert template.content.decode("utf-8-sig").startswith("栏目名称,上级栏目,更新类别")


def test_the_monitoring_page_shows_availability_probes_and_broken_links(signed_in, region, portal):
    now = timezone.now()
    ProbeFactory(site=portal, checked_at=now - dt.timedelta(hours=1), ok=False, status_code=500, error="HTTP 500")
    ProbeFactory(site=portal, checked_at=now - dt.timedelta(hours=2), ok=True, status_code=200, response_ms=120)
    BrokenLinkFactory(site=portal, page_url="https://www.example.gov.cn/news/", link_url="https://www.example.gov.cn/gone.html",
                      status_code=404, error="HTTP 404", first_seen_at=now)
    client = signed_in(region.supervisor)
    page = client.get(reverse("site-monitoring", args=[portal.pk])).content.decode()
    assert "50.00%" in page and "检测次数不足" in page and "gone.html" in page and "HTTP 500" in page
    response = client.post(reverse("site-monitoring", args=[portal.pk]))
    assert response.status_code == 302
    assert signed_in(region.member).post(reverse("site-monitoring", args=[portal.pk])).status_code == 404
