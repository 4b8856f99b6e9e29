"""The national checklist (政府网站与政务新媒体检查指标, 国办秘函〔2019〕19号) and SPEC's rule thresholds, as data
(`inspections.checklist_data`). The office changes thresholds by adding a version or a local override, never by
editing that module: a changed module would make this migration load something else on a fresh database.
"""
from django.db import migrations

from inspections.checklist_data import ITEMS, NATIONAL_NAME, NATIONAL_SOURCE, NATIONAL_YEAR


def load(apps, schema_editor):
    Version = apps.get_model("inspections", "ChecklistVersion")
    Item = apps.get_model("inspections", "ChecklistItem")
    version = Version.objects.create(year=NATIONAL_YEAR, name=NATIONAL_NAME, active=True, source=NATIONAL_SOURCE)
    Item.objects.bulk_create([
        Item(version=version, code=code, name=name, kind=kind, thresholds=thresholds, points=points, source=source)
        for code, name, kind, thresholds, points, source in ITEMS
    ])


def unload(apps, schema_editor):
    Version = apps.get_model("inspections", "ChecklistVersion")
    Version.objects.filter(year=NATIONAL_YEAR, organisation__isnull=True, name=NATIONAL_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
