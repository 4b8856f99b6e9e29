# Probes every 30 minutes: 48 a day, comfortably above the checklist's 20 even when a few runs are missed.
SCHEDULE = [
    {"name": "网站首页可用性检测", "task": "sites.tasks.probe_sites", "crontab": {"minute": "*/30"}},
    {"name": "网站错链检测", "task": "sites.tasks.check_links", "crontab": {"minute": "0", "hour": "1"}},
    {"name": "栏目与账号 RSS 抓取", "task": "sites.tasks.poll_feeds", "crontab": {"minute": "15", "hour": "*/2"}},
    {"name": "栏目页最新信息读取", "task": "sites.tasks.crawl_column_pages", "crontab": {"minute": "40", "hour": "0"}},
]
