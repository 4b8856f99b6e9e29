# Broker-outage sweeper (issue 12): when a run was last queued, its attempts, one active run per region and date.
import django.db.models.functions.comparison
from django.db import migrations, models

ACTIVE = ("queued", "running")


def close_duplicate_active_runs(apps, schema_editor):
    """Runs that concurrent requests queued twice before the constraint existed: the newest stays, the others
    are closed as failed with the reason (they would have found the same)."""
    Inspection = apps.get_model("inspections", "Inspection")
    seen = set()
    for run in Inspection.objects.filter(status__in=ACTIVE).order_by("-created_at", "-id"):
        key = (run.organisation_id or 0, run.as_of)
        if key in seen:
            Inspection.objects.filter(pk=run.pk).update(status="failed", error="同一范围同一基准日的重复检查，已由较新的一次代替。")
        seen.add(key)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_files")]

    operations = [
        migrations.AddField(
            model_name="inspection",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="执行次数"),
        ),
        migrations.AddField(
            model_name="inspection",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="最近排队时间"),
        ),
        migrations.AddIndex(
            model_name="inspection",
            index=models.Index(fields=["status", "queued_at"], name="inspection_status_queued_idx"),
        ),
        migrations.RunPython(close_duplicate_active_runs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="inspection",
            constraint=models.UniqueConstraint(
                django.db.models.functions.comparison.Coalesce("organisation", models.Value(0)), models.F("as_of"),
                condition=models.Q(("status__in", ("queued", "running"))), name="inspection_one_active_per_region_date",
            ),
        ),
    ]
