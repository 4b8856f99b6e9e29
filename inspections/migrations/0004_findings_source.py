# Findings record the article they enforce and the checklist version their item came from (issue 10).
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inspections", "0003_sweeper")]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="checklist_version",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="findings",
                                    to="rules.checklistversion", verbose_name="检查指标版本"),
        ),
        migrations.AddField(
            model_name="finding",
            name="source",
            field=models.CharField(blank=True, max_length=200, verbose_name="规定依据"),
        ),
    ]
