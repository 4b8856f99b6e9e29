# Calendar regions (issue 10): days a region declares working days or days off for itself and its units.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("organisations", "0002_people")]

    operations = [
        migrations.CreateModel(
            name="RegionCalendarDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("date", models.DateField(verbose_name="日期")),
                ("is_workday", models.BooleanField(verbose_name="是否工作日")),
                ("note", models.CharField(blank=True, max_length=100, verbose_name="说明")),
                ("entered_at", models.DateTimeField(auto_now_add=True)),
                ("entered_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                                 related_name="+", to=settings.AUTH_USER_MODEL)),
                ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="calendar_days",
                                                   to="organisations.organisation", verbose_name="地区（单位）")),
            ],
            options={
                "verbose_name": "地区日历调整",
                "verbose_name_plural": "地区日历调整",
                "ordering": ["organisation", "date"],
                "constraints": [models.UniqueConstraint(fields=("organisation", "date"), name="region_calendar_day_unique")],
            },
        ),
    ]
