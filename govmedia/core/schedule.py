"""The periodic work run by celery beat, written into django-celery-beat's tables by `setup_schedule`.

Each entry: name, task, crontab fields (Asia/Shanghai). The office can change times and switch entries
off in the admin; `setup_schedule` adds what is missing and never overwrites what the office changed.
"""

SCHEDULE = [
    {"name": "清理过期会话", "task": "govmedia.core.tasks.clear_expired_sessions", "crontab": {"minute": "30", "hour": "3"}},
]
