# The 安岳 pack requires all six stages of 三审三校 for every post (安岳 §16; rules/packs.py): versions record the
# stages they require, the 安岳 template and every local version adopted from it get them.
from django.db import migrations, models

from rules.packs import PACKS


def set_pack_stages(apps, schema_editor):
    ChecklistVersion = apps.get_model("rules", "ChecklistVersion")
    for pack in PACKS:
        if not pack.review_stages:
            continue
        templates = ChecklistVersion.objects.filter(template=True, region=pack.region, year=pack.year)
        ChecklistVersion.objects.filter(pk__in=templates.values("pk")).update(review_stages=list(pack.review_stages))
        ChecklistVersion.objects.filter(adopted_from__in=templates.values("pk")).update(
            review_stages=list(pack.review_stages))


class Migration(migrations.Migration):
    dependencies = [("rules", "0004_locality_packs")]
    operations = [
        migrations.AddField(
            model_name="checklistversion",
            name="review_stages",
            field=models.JSONField(blank=True, default=list, verbose_name="必经审校环节"),
        ),
        migrations.RunPython(set_pack_stages, migrations.RunPython.noop),
    ]
