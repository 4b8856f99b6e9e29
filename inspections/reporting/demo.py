"""Demo data of the reports: last month's stored documents for the demo county, as beat would have written
them on the first of the month (the inspections area has already run its inspection)."""
from .periods import last_complete_month
from .services import store_monthly_documents


def seed_area(region, stdout):
    period = last_complete_month()
    done = store_monthly_documents(period, [region["root"]])
    stdout.write(f"报告：已生成{region['root'].name}{period.label}月度监测报告（{len(done)} 份）。")
