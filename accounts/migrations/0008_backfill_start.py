# Backfill deadlines recomputed on a calendar change (issue 10): the day their working days count from is stored.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_notice_history")]

    operations = [
        migrations.AddField(
            model_name="account",
            name="backfill_start_on",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="补办备案起算日期"),
        ),
    ]
