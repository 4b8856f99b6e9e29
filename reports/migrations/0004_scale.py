# The page report lookup (reports.services.page_report): one index step, not a scan of every export.
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_sweeper"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        migrations.AddIndex(
            model_name="export",
            index=models.Index(fields=["user", "organisation", "period", "-created_at"], name="export_page_report_idx"),
        ),
    ]
