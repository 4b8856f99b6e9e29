# Report revisions (issue 10): each monthly report as issued, and every later revision with what changed.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("organisations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportRevision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("period", models.CharField(max_length=7, verbose_name="月份")),
                ("revision", models.PositiveSmallIntegerField(verbose_name="修订版次")),
                ("data", models.JSONField(verbose_name="报告内容")),
                ("changes", models.JSONField(blank=True, default=list, verbose_name="与上一版相比的变化")),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="生成原因")),
                ("generated_at", models.DateTimeField(auto_now_add=True, verbose_name="生成时间")),
                ("generated_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                                   related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="生成人")),
                ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="report_revisions",
                                                   to="organisations.organisation", verbose_name="区域")),
            ],
            options={
                "verbose_name": "月度报告修订版",
                "verbose_name_plural": "月度报告修订版",
                "ordering": ["organisation", "period", "-revision"],
                "constraints": [models.UniqueConstraint(fields=("organisation", "period", "revision"), name="report_revision_unique")],
            },
        ),
    ]
