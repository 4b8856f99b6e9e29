"""Published bulletins and kept self-inspections (tables of reports.models)."""

from notifications.models import Notification
from reports.models import Bulletin, SelfInspection
from reports.selfcheck import INDICATORS

from .conftest import publish, run_jobs




def test_a_supervisor_publishes_the_bulletin_once(api, october):
    r = october.region
    response = publish(api, r.supervisor, organisation=r.county.pk, summary="请于 7 日内整改。")
    assert response.status_code == 200, response.json()
    body = response.json()
    # The region's name without 人民政府: never "甲县人民政府政府网站…".
    assert body["title"] == "甲县政府网站与政务新媒体检查情况通报（2024年第四季度）"
    # As of 31 Dec every subject of both bureaus is stale (and the site's homepage too): the same failing share,
    # so the better average score ranks 卫健局 first.
    assert [u["organisation_name"] for u in body["data"]["units"]] == ["甲县卫生健康局", "甲县教育局"]
    again = publish(api, r.supervisor, organisation=r.county.pk)
    assert again.status_code == 409
    assert Bulletin.objects.count() == 1
    # The failing units' principals and editors are told.
    told = set(Notification.objects.filter(kind="bulletin").values_list("user__username", flat=True))
    assert {"principal", "editor"} <= told and "neighbour" in told  # 卫健局 has a failing account


def test_the_published_snapshot_does_not_change_with_later_data(api, october):
    r = october.region
    publish(api, r.supervisor, organisation=r.county.pk)
    october.silent.name = "改名后的账号"
    october.silent.save()
    bulletin = api.as_user(r.member).get("/api/v1/bulletins/").json()["results"][0]
    assert "甲县卫健抖音" in [a["name"] for a in bulletin["data"]["accounts"]]


def test_only_the_regions_supervisor_may_publish(api, october):
    r = october.region
    assert publish(api, r.member, organisation=r.bureau.pk).status_code == 403
    assert publish(api, r.outsider, organisation=r.county.pk).status_code == 404
    assert publish(api, r.supervisor, organisation=r.county.pk, quarter="2024-Q9").status_code == 400
    assert publish(api, r.supervisor, organisation=r.county.pk, quarter="2999-Q1").status_code == 400


def test_the_region_reads_the_bulletin_and_others_do_not(api, october):
    r = october.region
    publish(api, r.supervisor, organisation=r.county.pk)
    assert api.as_user(r.member).get("/api/v1/bulletins/").json()["count"] == 1
    assert api.as_user(r.outsider).get("/api/v1/bulletins/").json()["count"] == 0


def test_publishing_from_the_page(client, october):
    """The page queues the publish, shows it under way (following it live), then the published bulletin."""
    r = october.region
    client.force_login(r.supervisor)
    url = f"/reports/quarterly/?quarter=2024-Q4&organisation={r.county.pk}"
    run_jobs()  # nothing yet
    client.get(url)
    run_jobs()  # the quarter's report the page shows (the publish form is offered with it)
    assert "发布通报</button>" in client.get(url).content.decode()
    page = client.post("/reports/quarterly/", {"quarter": "2024-Q4", "organisation": r.county.pk, "summary": "整改"},
                       follow=True)
    html = page.content.decode()
    assert "已提交发布" in html and "正在发布" in html and 'name="live-refresh"' in html
    assert not Bulletin.objects.exists()
    # A second press while it is under way is refused, in Chinese.
    again = client.post("/reports/quarterly/", {"quarter": "2024-Q4", "organisation": r.county.pk}, follow=True)
    assert "正在发布" in again.content.decode() and "发布通报</button>" not in again.content.decode()
    assert run_jobs() == 1
    done = client.get(url, HTTP_X_REQUESTED_WITH="live-refresh").content.decode()
    bulletin = Bulletin.objects.get()
    assert bulletin.summary == "整改"
    assert "已发布" in done and f"/reports/bulletins/{bulletin.pk}/" in done and 'name="live-refresh"' not in done


def answers(**overrides):
    data = {i.code: {"result": "yes", "note": ""} for i in INDICATORS}
    data.update(overrides)
    return data


def test_a_unit_keeps_its_self_inspection(api, october):
    r = october.region
    client = api.as_user(r.member)
    response = client.post("/api/v1/self-inspections/", {"organisation": r.bureau.pk, "month": "2024-10",
                                                         "answers": answers(), "signers": {"leader": "周伟"}}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["prefill"]["indicators"]["content_weekly"]["result"] == "no"
    again = client.post("/api/v1/self-inspections/", {"organisation": r.bureau.pk, "month": "2024-10",
                                                      "answers": answers(content_ads={"result": "no", "note": "已删除广告链接"})},
                        format="json")
    assert again.status_code == 201
    record = SelfInspection.objects.get()
    assert record.failures == ["content_ads"]


def test_self_inspection_bad_input_and_scope(api, october):
    r = october.region
    bad = api.as_user(r.member).post("/api/v1/self-inspections/", {"organisation": r.bureau.pk, "month": "2024-10",
                                                                  "answers": answers(content_ads={"result": "no"})}, format="json")
    assert bad.status_code == 400 and "answers" in bad.json()
    other = api.as_user(r.neighbour).post("/api/v1/self-inspections/", {"organisation": r.bureau.pk, "month": "2024-10",
                                                                       "answers": answers()}, format="json")
    assert other.status_code == 404
    auditor = api.as_user(r.auditor).post("/api/v1/self-inspections/", {"organisation": r.bureau.pk, "month": "2024-10",
                                                                        "answers": answers()}, format="json")
    assert auditor.status_code == 403


def test_self_inspection_saved_from_the_page(client, october):
    r = october.region
    client.force_login(r.member)
    data = {"organisation": r.bureau.pk, "month": "2024-10", "leader": "周伟", "keeper": "赵晓燕"}
    data.update({f"{i.code}__result": "yes" for i in INDICATORS})
    page = client.post("/reports/self-inspection/", data, follow=True)
    assert "已保存" in page.content.decode()
    assert SelfInspection.objects.get().signers["keeper"] == "赵晓燕"


def test_the_bulletin_page_shows_the_published_snapshot(client, api, october, settings, tmp_path):
    from .test_pages import built

    settings.MEDIA_ROOT = tmp_path
    r = october.region
    publish(api, r.supervisor, organisation=r.county.pk)
    october.silent.name = "改名后的账号"
    october.silent.save()
    client.force_login(r.member)
    html = client.get("/reports/quarterly/", {"quarter": "2024-Q4", "organisation": r.county.pk})
    assert html.status_code == 404  # a unit's staff read the region's bulletin through bulletins/, not the live report
    client.force_login(r.supervisor)
    html = client.get("/reports/quarterly/", {"quarter": "2024-Q4", "organisation": r.county.pk}).content.decode()
    assert "已发布" in html and "甲县卫健抖音" in html and "改名后的账号" not in html
    # The live report is the worker's (queued on the first visit, shown on the next).
    live = built(client, "/reports/quarterly/", {"quarter": "2024-Q4", "organisation": r.county.pk, "live": "1"})
    assert "改名后的账号" in live.content.decode()


def test_the_regions_units_read_the_published_bulletin_and_its_documents(client, api, october):
    import io

    from openpyxl import load_workbook

    r = october.region
    bulletin = publish(api, r.supervisor, organisation=r.county.pk).json()
    assert bulletin["title"].endswith("（2024年第四季度）")
    client.force_login(r.member)
    page = client.get(f"/reports/bulletins/{bulletin['id']}/")
    assert page.status_code == 200 and "甲县卫健抖音" in page.content.decode()
    xlsx = client.get(f"/reports/bulletins/{bulletin['id']}.xlsx")
    failing = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))["不合格网站与账号"]
    assert "甲县卫健抖音" in [row[2] for row in failing.iter_rows(min_row=2, values_only=True)]
    assert b"".join(client.get(f"/reports/bulletins/{bulletin['id']}.pdf").streaming_content).startswith(b"%PDF")
    client.force_login(r.outsider)
    assert client.get(f"/reports/bulletins/{bulletin['id']}/").status_code == 404
