# Province scale (issue 14): the findings table keeps only the indexes something reads by (each one is paid for by
# every run's inserts); a run records the snapshot it judged; the log of transactions that wrote what the rules read
# (PostgreSQL; inspections.input_changes), so that a rerun on unchanged data is proven unchanged instead of judged.
import django.db.models.deletion
from django.db import migrations, models

from inspections import input_changes


def create_log(apps, schema_editor):
    if input_changes.available(schema_editor.connection):
        schema_editor.execute(input_changes.CREATE_SQL)
        input_changes.install(schema_editor.connection)


def drop_log(apps, schema_editor):
    if input_changes.available(schema_editor.connection):
        schema_editor.execute(input_changes.DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0006_dates")]

    operations = [
        migrations.RemoveIndex(model_name="finding", name="finding_rule_status_idx"),
        migrations.AlterField(
            model_name="finding",
            name="organisation",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="findings",
                                    to="organisations.organisation", verbose_name="责任单位"),
        ),
        migrations.AlterField(
            model_name="finding",
            name="checklist_version",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="findings", to="rules.checklistversion", verbose_name="检查指标版本"),
        ),
        migrations.AlterField(
            model_name="finding",
            name="rectified_by",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="rectified_findings", to="inspections.inspection",
                                    verbose_name="确认整改的检查"),
        ),
        migrations.AddIndex(
            model_name="finding", index=models.Index(fields=["found_on", "id"], name="finding_found_idx"),
        ),
        migrations.AddField(
            model_name="inspection",
            name="data_snapshot",
            field=models.TextField(blank=True, editable=False, verbose_name="数据快照"),
        ),
        migrations.RunPython(create_log, drop_log, elidable=False),
    ]
