"""The report pages: what a supervisor and a unit's staff see."""
import pytest


@pytest.fixture
def signed_in(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def built(client, url, params):
    """Open a report page the way a reader does: the first visit queues the report (no request builds one),
    the worker builds it, the next visit shows it."""
    from reports.models import Export
    from reports.services import export_run

    first = client.get(url, params)
    if first.status_code != 200 or first.context["report"] is not None:
        return first
    assert "报告生成中" in first.content.decode()
    for export in Export.objects.filter(status="queued", fmt="json"):
        export_run(export_id=str(export.pk))
    return client.get(url, params)


def test_supervisor_reads_the_monthly_report_page(signed_in, october, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    r = october.region
    page = built(signed_in(r.supervisor), "/reports/monthly/", {"month": "2024-10", "organisation": r.county.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲县教育发布" in html and "不合格" in html
    assert "账号内容不更新" in html
    assert "政府网站与政务新媒体检查指标" in html  # the checklist version used
    assert f"/findings/{october.stale.pk}/" in html  # a failing account leads to its findings
    assert "全部明细" in html and "见 Excel 文件" in html  # the detail is in the xlsx, and the page says so


def test_a_bad_month_on_the_page_is_explained_not_a_500(signed_in, october):
    page = signed_in(october.region.supervisor).get("/reports/monthly/", {"month": "2024-13"})
    assert page.status_code == 200
    assert "YYYY-MM" in page.content.decode()


def test_a_member_cannot_open_the_county_report(signed_in, october, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    r = october.region
    assert signed_in(r.member).get("/reports/monthly/", {"month": "2024-10", "organisation": r.county.pk}).status_code == 404
    own = built(signed_in(r.member), "/reports/monthly/", {"month": "2024-10", "organisation": r.bureau.pk})
    assert own.status_code == 200
    assert "甲县教育发布" in own.content.decode()
    assert "甲县卫健抖音" not in own.content.decode()


def test_no_page_builds_a_report(signed_in, october, monkeypatch):
    """Whatever the region's size or the query (the old `?now=1`), the page queues the report and shows its
    progress; visiting again does not queue it twice."""
    from reports import figures
    from reports.models import Export

    def refuse(*args, **kwargs):
        raise AssertionError("a report was built inside a web request")

    monkeypatch.setattr(figures.ReportBuilder, "build", refuse)
    client = signed_in(october.region.supervisor)
    for params in ({"month": "2024-10"}, {"month": "2024-10", "now": "1"}, {"quarter": "2024-Q4"}):
        url = "/reports/quarterly/" if "quarter" in params else "/reports/monthly/"
        page = client.get(url, params)
        html = page.content.decode()
        assert page.status_code == 200
        assert "报告生成中" in html and 'id="accounts"' not in html
        # Only the report follows the build (live.js swaps [data-live] regions): the downloads above it keep an
        # export the reader started, and its link, when the finished report arrives.
        live = html.index('id="report-live" data-live')
        assert html.index("data-export") < live and html.index("报告生成中") > live
    assert Export.objects.filter(user=october.region.supervisor, fmt="json").count() == 2
    # Regenerating an issued month is queued for the worker as well.
    assert client.post("/reports/monthly/?month=2024-10").status_code == 302


def test_the_quarterly_bulletin_page(signed_in, october):
    page = signed_in(october.region.supervisor).get("/reports/quarterly/", {"quarter": "2024-Q4"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "检查情况通报" in html and "单位排名" in html


def test_the_index_page_and_navigation(signed_in, october):
    page = signed_in(october.region.member).get("/reports/")
    assert page.status_code == 200
    assert "监测报告" in page.content.decode()


def test_self_inspection_is_prefilled_from_the_months_data(signed_in, october):
    r = october.region
    page = signed_in(r.member).get("/reports/self-inspection/", {"month": "2024-10"})
    assert page.status_code == 200
    form = page.context["form"]
    # The lagging account missed whole weeks and went 18 days without an update.
    assert form["content_weekly__result"].initial == "no"
    assert "甲县教育发布" in form["content_weekly__note"].initial
    assert form["content_dormant__result"].initial == "no"
    assert form["interaction_function__result"].initial == "yes"
    assert form["oversight_rectified__result"].initial == "no"
    assert form["security_secrets__result"].initial is None  # the unit answers this one itself
    html = page.content.decode()
    assert "本级政务新媒体（共 2 个）" in html
    # No sub-units' accounts: "无" as a sentence, not numbered "1. 无".
    assert "下属单位政务新媒体（共 0 个）</h2>\n  <p>无</p>" in html and "<li>无</li>" not in html


def test_self_inspection_needs_a_note_for_each_failure(signed_in, october):
    from reports.selfcheck import INDICATORS

    r = october.region
    data = {"organisation": r.bureau.pk, "month": "2024-10", "leader": "周伟", "keeper": "赵晓燕"}
    data.update({f"{i.code}__result": "yes" for i in INDICATORS})
    data["content_ads__result"] = "no"
    page = signed_in(r.member).post("/reports/self-inspection/", data)
    assert page.status_code == 200
    assert "请说明问题及整改措施" in page.content.decode()


def test_self_inspection_of_another_unit_is_404(signed_in, october):
    r = october.region
    assert signed_in(r.member).get("/reports/self-inspection/", {"organisation": r.other_bureau.pk}).status_code == 404


def test_the_page_follows_the_build_then_shows_the_stored_report(signed_in, october):
    """The first visit shows the progress (and asks live.js to follow it); the worker builds; the page's next
    round (live.js's fetch) carries the report and stops following; a failed build says so, in Chinese."""
    from reports.models import Export, ExportStatus

    from .conftest import run_jobs

    client = signed_in(october.region.supervisor)
    params = {"month": "2024-10", "organisation": october.region.county.pk}
    first = client.get("/reports/monthly/", params).content.decode()
    assert "报告生成中" in first and 'name="live-refresh"' in first
    assert run_jobs() == 1
    fresh = client.get("/reports/monthly/", params, HTTP_X_REQUESTED_WITH="live-refresh").content.decode()
    assert "甲县教育发布" in fresh and "报告生成中" not in fresh and 'name="live-refresh"' not in fresh
    assert "按最新数据重新生成" in fresh  # with its time, and a way to build it again from today's data

    Export.objects.update(status=ExportStatus.FAILED)
    failed = client.get("/reports/monthly/", params).content.decode()
    assert "报告生成失败" in failed and 'name="live-refresh"' not in failed
    assert client.post("/reports/monthly/?" + "&".join(f"{k}={v}" for k, v in params.items()),
                       {"rebuild": "1"}).status_code == 302
    assert Export.objects.filter(status=ExportStatus.QUEUED).count() == 1


def test_a_report_page_out_of_scope_is_404(signed_in, october):
    r = october.region
    client = signed_in(r.member)
    assert client.get("/reports/quarterly/", {"quarter": "2024-Q4", "organisation": r.county.pk}).status_code == 404
    assert client.get("/reports/monthly/", {"month": "2024-10", "organisation": "abc"}).status_code == 404
