SCHEDULE = [
    {"name": "审校环节超期提醒", "task": "review.tasks.notify_overdue_review_tasks", "crontab": {"minute": "0", "hour": "8"}},
]
