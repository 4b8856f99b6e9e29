"""The national checklist (政府网站与政务新媒体检查指标, 国办秘函〔2019〕19号) and SPEC's rule thresholds, as data
(`rules.checklist_data`, built from `rules.definitions`). The office changes thresholds by adding a version or a
local override, never by editing those modules: a changed module would make this migration load something else
on a fresh database.
"""
from django.db import migrations

from rules.checklist_data import NATIONAL_NAME, NATIONAL_YEAR, load_national


def load(apps, schema_editor):
    load_national(apps.get_model("rules", "ChecklistVersion"), apps.get_model("rules", "ChecklistItem"))


def unload(apps, schema_editor):
    Version = apps.get_model("rules", "ChecklistVersion")
    Version.objects.filter(year=NATIONAL_YEAR, organisation__isnull=True, name=NATIONAL_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
