# The site-scanning rules (issue 13) added to the national checklist of an existing database (a fresh one already
# has them from 0002, which loads every definition): the checklist lists them and a local version can tune them.
from django.db import migrations

SCAN_CODES = ("content_sensitive", "content_pii", "content_correction", "hidden_link", "outbound_link_bad",
              "site_identity_missing", "site_domain", "site_tls")


def add(apps, schema_editor):
    from rules.checklist_data import NATIONAL_NAME, NATIONAL_YEAR
    from rules.definitions import RULES

    Version = apps.get_model("rules", "ChecklistVersion")
    Item = apps.get_model("rules", "ChecklistItem")
    for version in Version.objects.filter(year=NATIONAL_YEAR, organisation__isnull=True, name=NATIONAL_NAME):
        have = set(Item.objects.filter(version=version).values_list("code", flat=True))
        Item.objects.bulk_create([
            Item(version=version, code=code, name=RULES[code].checklist_name, kind=str(RULES[code].severity),
                 thresholds=dict(RULES[code].thresholds), points=RULES[code].points, source=RULES[code].citation)
            for code in SCAN_CODES if code not in have
        ])


def remove(apps, schema_editor):
    apps.get_model("rules", "ChecklistItem").objects.filter(code__in=SCAN_CODES, version__organisation__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("rules", "0002_national_checklist_2019")]

    operations = [migrations.RunPython(add, remove)]
