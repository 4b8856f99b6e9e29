"""The demo county's checklist (`manage.py seed_demo`): it adopts the 青岛西海岸新区 template, whose rules the demo's
accounts show (weekly updates, fortnightly originals, filing within 7 working days, closure notice of 15 working
days, backfill of stock accounts). Loaded right after the organisations, so every later area's deadlines are the
pack's."""
import datetime as dt

from django.utils import timezone

from rules import versions
from rules.models import ChecklistVersion

DEMO_TEMPLATE = "青岛西海岸新区"


def seed_area(region, stdout=None):
    county, supervisor = region["root"], region["people"]["office_zhang"]
    today = timezone.localdate()
    template = ChecklistVersion.objects.get(template=True, region=DEMO_TEMPLATE)
    version = versions.adopt_template(user=supervisor, organisation=county, template=template, on=today)
    # The demo's stock accounts came into the register days ago, not in 2020: its backfill period runs from ten
    # days before the demo's day, so one backfill shows as due, one as filed and one (set by accounts) as late.
    versions.update_local_version(user=supervisor, version=version, on=today, items=[{
        "code": "backfill_late", "thresholds": {"effective_on": (today - dt.timedelta(days=10)).isoformat()},
        "source": "青岛 §19（演示：施行日期取演示当日前 10 天）",
    }])
    region["checklist"] = version
    if stdout:
        stdout.write(f"检查指标：{county.name}采用{DEMO_TEMPLATE}模板（{version.items.count()} 项）。")
