SCHEDULE = [
    # Early in the morning, after the night's feeds and probes: "周巡查、月整改" (tongliao §19) done daily.
    {"name": "每日检查（全部规则）", "task": "inspections.tasks.daily_inspection", "crontab": {"minute": "30", "hour": "5"}},
]
