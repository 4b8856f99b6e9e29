"""Monthly reports issued and kept (issue 10, item 5): generated on the 1st and stored as revision 1; an update
entered late does not rewrite the issued month; regenerating makes revision 2 listing what changed."""
import datetime as dt
from unittest import mock

from accounts.services import account_add_update
from reports.models import ReportRevision
from reports.periods import parse_month
from reports.services import store_monthly_documents

from .conftest import at, run_jobs


def test_the_month_is_issued_kept_and_revised_only_with_what_changed(client, october, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    r = october.region
    october_period = parse_month("2024-10", today=dt.date(2024, 11, 1))
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2024, 11, 1)):
        store_monthly_documents(october_period, [r.county])
    first = ReportRevision.objects.get(organisation=r.county, period="2024-10")
    assert first.revision == 1 and first.changes == [] and first.reason == "每月1日自动生成"
    lagging = next(a for a in first.data["accounts"] if a["name"] == "甲县教育发布")
    assert lagging["verdict"] == "fail"

    # An update of 30 Oct entered late (in November): the issued month does not change by itself.
    account_add_update(account=october.lagging, published_at=at("2024-10-30"), title="补录的十月更新")
    client.force_login(r.supervisor, backend="django.contrib.auth.backends.ModelBackend")
    settings.SECOND_FACTOR_REQUIRED = False
    url = f"/reports/monthly/?month=2024-10&organisation={r.county.pk}"
    page = client.get(url)
    shown = next(a for a in page.context["report"]["accounts"] if a["name"] == "甲县教育发布")
    assert shown["verdict"] == "fail" and shown["figures"]["updates"] == lagging["figures"]["updates"]
    assert 'data-revision="1"' in page.content.decode()

    # Regenerating issues revision 2 with the changes listed; regenerating again without new data adds nothing.
    # The page only queues it: the worker builds (a region's report is never built inside a request).
    def regenerate():
        assert client.post(url).status_code == 302
        assert ReportRevision.objects.filter(organisation=r.county, period="2024-10").count() == count
        assert "正在重新生成" in client.get(url).content.decode()  # the page follows the worker
        assert run_jobs() == 1
        assert "正在重新生成" not in client.get(url).content.decode()

    count = 1
    regenerate()
    second = ReportRevision.objects.get(organisation=r.county, period="2024-10", revision=2)
    changed = {(c["name"], c["field"]) for c in second.changes}
    assert ("甲县教育发布", "figures.updates") in changed and ("合计", "account_updates") in changed
    assert second.generated_by == r.supervisor
    count = 2
    regenerate()
    assert ReportRevision.objects.filter(organisation=r.county, period="2024-10").count() == 2
    page = client.get(url)
    shown = next(a for a in page.context["report"]["accounts"] if a["name"] == "甲县教育发布")
    assert shown["figures"]["updates"] == lagging["figures"]["updates"] + 1
    assert "与上一版相比" in page.content.decode()
    # Only the region's supervisors regenerate.
    client.force_login(r.member, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(f"/reports/monthly/?month=2024-10&organisation={r.bureau.pk}").status_code == 403


def test_the_change_is_measured_against_last_month_as_issued(october):
    """上期 is September as issued: an update of September entered late changes neither the issued September
    nor October's comparison with it (and September is not built a second time)."""
    from reports.figures import build_report
    from reports.revisions import issue_revision

    r = october.region
    today = dt.date(2024, 11, 1)
    september, _ = issue_revision(r.county, parse_month("2024-09", today=today))
    account_add_update(account=october.lagging, published_at=at("2024-09-25"), title="补录的九月更新")
    report = build_report(r.county, parse_month("2024-10", today=today), today=today)
    assert report["previous"]["totals"] == september.data["totals"]
    lagging = next(a for a in report["accounts"] if a["name"] == "甲县教育发布")
    issued = next(a for a in september.data["accounts"] if a["name"] == "甲县教育发布")
    assert lagging["previous_score"] == issued["score"]


def test_a_regeneration_asked_by_someone_no_longer_supervising_is_refused_when_it_runs(client, october, settings,
                                                                                       tmp_path):
    """The worker decides as of when it runs: a supervisor who asked and then left the office issues nothing."""
    from organisations.models import Membership
    from reports.models import Export, ExportStatus

    settings.MEDIA_ROOT = tmp_path
    settings.SECOND_FACTOR_REQUIRED = False
    r = october.region
    store_monthly_documents(parse_month("2024-10", today=dt.date(2024, 11, 1)), organisations=[r.county])
    client.force_login(r.supervisor, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(f"/reports/monthly/?month=2024-10&organisation={r.county.pk}").status_code == 302
    Membership.objects.filter(user=r.supervisor).delete()
    run_jobs()
    job = Export.objects.get()
    assert job.status == ExportStatus.FAILED and "主管人员" in job.progress["refused"]
    assert ReportRevision.objects.filter(organisation=r.county, period="2024-10").count() == 1
