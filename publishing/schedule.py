SCHEDULE = [
    {"name": "定时发布稿件", "task": "publishing.tasks.publish_due_posts", "crontab": {"minute": "*"}},
]
