"""Monthly reports issued and kept (issue 10, item 5): generated on the 1st and stored as revision 1; an update
entered late does not rewrite the issued month; regenerating makes revision 2 listing what changed."""
import datetime as dt
from unittest import mock

from accounts.services import account_add_update
from reports.models import ReportRevision
from reports.periods import parse_month
from reports.services import store_monthly_documents

from .conftest import at


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
    assert client.post(url).status_code == 302
    second = ReportRevision.objects.get(organisation=r.county, period="2024-10", revision=2)
    changed = {(c["name"], c["field"]) for c in second.changes}
    assert ("甲县教育发布", "figures.updates") in changed and ("合计", "account_updates") in changed
    assert second.generated_by == r.supervisor
    client.post(url)
    assert ReportRevision.objects.filter(organisation=r.county, period="2024-10").count() == 2
    page = client.get(url)
    shown = next(a for a in page.context["report"]["accounts"] if a["name"] == "甲县教育发布")
    assert shown["figures"]["updates"] == lagging["figures"]["updates"] + 1
    assert "与上一版相比" in page.content.decode()
    # Only the region's supervisors regenerate.
    client.force_login(r.member, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(f"/reports/monthly/?month=2024-10&organisation={r.bureau.pk}").status_code == 403
