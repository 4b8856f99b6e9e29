# Site scan findings (issue 13): a finding without an inspection run, and the dismissed (false positive) status.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inspections", "0004_findings_source")]

    operations = [
        migrations.AlterField(
            model_name="finding",
            name="inspection",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="findings", to="inspections.inspection", verbose_name="检查"),
        ),
        migrations.AlterField(
            model_name="finding",
            name="status",
            field=models.CharField(choices=[("open", "待整改"), ("rectified", "已整改"), ("overdue", "逾期未整改"),
                                            ("dismissed", "误报已忽略")],
                                   default="open", max_length=20, verbose_name="状态"),
        ),
    ]
