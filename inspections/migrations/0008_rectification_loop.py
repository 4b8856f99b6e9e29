# The rectification loop (issue 11): supervisors accept or return a unit's answer; a finding says where it stands.
from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


def mark_answered(apps, schema_editor):
    """Unresolved findings that already have an answer waiting (or one a run judged still failing) are answered:
    awaiting review, no longer overdue."""
    Finding = apps.get_model("inspections", "Finding")
    Rectification = apps.get_model("inspections", "Rectification")
    waiting = Rectification.objects.filter(outcome__in=["pending", "still_failing"]).values("finding_id")
    Finding.objects.filter(pk__in=waiting, status__in=["open", "overdue"]).update(
        rectification_state="submitted", status="open",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0007_scale"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="rectification_state",
            field=models.CharField(
                blank=True, default="", max_length=20, verbose_name="整改反馈状态",
                choices=[("", "未反馈"), ("submitted", "已反馈待审核"), ("returned", "整改反馈被退回"),
                         ("accepted", "整改已审核通过")],
            ),
        ),
        migrations.AlterField(
            model_name="rectification",
            name="outcome",
            field=models.CharField(
                default="pending", max_length=20, verbose_name="复查结果",
                choices=[("pending", "待复查"), ("accepted", "复查通过"), ("still_failing", "复查仍未通过"),
                         ("rejected", "审核退回")],
            ),
        ),
        migrations.AddField(
            model_name="rectification",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to=settings.AUTH_USER_MODEL, verbose_name="审核人",
            ),
        ),
        migrations.AddField(
            model_name="rectification",
            name="review_comment",
            field=models.TextField(blank=True, verbose_name="审核意见"),
        ),
        migrations.RunPython(mark_answered, migrations.RunPython.noop),
    ]
