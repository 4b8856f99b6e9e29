# No report is built in a web request: a bulletin publish is a job of the worker on the export's row (with the
# summary it publishes), and one publish of a region's quarter is under way at a time.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_scale")]

    operations = [
        migrations.AddField(
            model_name="export",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="参数"),
        ),
        migrations.AddConstraint(
            model_name="export",
            constraint=models.UniqueConstraint(
                condition=models.Q(("fmt", "publish"), ("status__in", ["queued", "running"])),
                fields=("organisation", "period"), name="export_one_publish_under_way",
            ),
        ),
    ]
