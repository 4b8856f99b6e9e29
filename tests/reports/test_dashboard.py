"""The supervisor's home page is the region dashboard."""
import datetime as dt

from reports.dashboard import dashboard_context


def test_supervisor_home_is_the_region_dashboard(client, october, django_assert_max_num_queries):
    client.force_login(october.region.supervisor)
    # Each tile runs the very query of the list it opens (issue 10: tiles equal their lists), a fixed number; so
    # do the 工作台's counts above the dashboard (govmedia/workbench.py, at most 12 for a supervisor). The roles
    # and the checklist are read once for the whole page (issue 14): 39 queries here when this was written.
    with django_assert_max_num_queries(55):
        page = client.get("/")
    html = page.content.decode()
    assert "甲县人民政府 概览" in html
    assert "vendor/echarts/echarts.min.js" in html
    charts = page.context["dashboard_charts"]
    # Three running accounts in 甲县 (微信, 微博, 抖音); 乙县's is not counted.
    assert sum(sum(s["data"]) for s in charts["accounts"]["series"]) == 3
    # 甲县教育局: the overdue duplicate_platform finding and November's open weekly one; the rectified one
    # does not count.
    # Today (long after 11 Nov 2024) the weekly one is past its due date as well: the findings list's "逾期"
    # filter lists both, so the chart counts both there (one partition, the lists' own).
    assert charts["findings"] == {"units": ["甲县教育局"], "open": [0], "overdue": [2]}


def test_a_member_home_has_no_dashboard(client, october):
    client.force_login(october.region.member)
    page = client.get("/")
    assert "概览" not in page.content.decode()
    assert "dashboard" not in page.context


def test_columns_and_accounts_at_risk_on_a_fixed_day(october):
    # As of 4 Nov 2024: 甲县教育发布 last updated 1 Nov (3 days ago, 11 left), 甲县教育微博 on 30 Oct
    # (9 left) but no original since 30 Oct; 甲县卫健抖音 never updated since January: long overdue.
    context = dashboard_context(october.region.supervisor, october.region.county, today=dt.date(2024, 11, 4))
    at_risk = context["dashboard"]["at_risk"]
    names = [a.name for a in at_risk["accounts"]]
    assert names[0] == "甲县卫健抖音"
    assert at_risk["account_counts"]["broken"] >= 1
    # The notice column last updated 15 Apr passed its six months on 15 Oct.
    assert "通知公告" in [c.name for c in at_risk["columns"]]
    assert "教育动态" not in [c.name for c in at_risk["columns"]]
    review = context["dashboard"]["review"]
    assert review["waiting"] == 0 and review["decided_total"] == 0 and len(review["days"]) == 30


def test_review_throughput_and_waiting(october):
    from django.utils import timezone

    from publishing.services import post_create
    from review.models import ReviewTask
    from review.services import post_submit, task_approve

    r = october.region
    post = post_create(actor=r.member, organisation=r.bureau, title="秋季开学通知", body="各校按时开学。",
                       accounts=[october.steady])
    post_submit(post=post, actor=r.member)
    first = ReviewTask.objects.get(post=post, status="open")
    # The editor opens 一审 at 9:00 and decides it at 11:00 on 8 Oct 2024 (after National Day).
    ReviewTask.objects.filter(pk=first.pk).update(opened_at=timezone.make_aware(timezone.datetime(2024, 10, 8, 9)))
    task_approve(task_id=first.pk, user=r.member)
    ReviewTask.objects.filter(pk=first.pk).update(decided_at=timezone.make_aware(timezone.datetime(2024, 10, 8, 11)))
    review = dashboard_context(r.supervisor, r.county, today=dt.date(2024, 10, 9))["dashboard"]["review"]
    assert review["decided_total"] == 1
    assert review["decided"][-2] == 1  # 8 Oct, the day before "today"
    assert review["average_wait_hours"] == 2.0
    assert review["waiting"] == 1  # 二审 is open now
