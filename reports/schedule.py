# Early on the first of the month, after the nightly inspection run, so last month's findings are complete.
SCHEDULE = [
    {"name": "月度监测报告生成", "task": "reports.tasks.generate_monthly_reports",
     "crontab": {"minute": "30", "hour": "4", "day_of_month": "1"}},
]
