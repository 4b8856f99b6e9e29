from django.conf import settings
from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, PeriodicTask


class Command(BaseCommand):
    help = "写入定时任务（每日检查、月报等）；已存在的不覆盖。"

    def handle(self, *args, **options):
        created = 0
        for entry in settings.GOVMEDIA_SCHEDULE:
            if PeriodicTask.objects.filter(name=entry["name"]).exists():
                continue
            crontab, _ = CrontabSchedule.objects.get_or_create(timezone=settings.TIME_ZONE, **{
                "minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*",
                **entry["crontab"],
            })
            PeriodicTask.objects.create(name=entry["name"], task=entry["task"], crontab=crontab,
                                        kwargs=entry.get("kwargs", "{}"))
            created += 1
        self.stdout.write(f"定时任务：新增 {created} 项，共 {PeriodicTask.objects.count()} 项。")
