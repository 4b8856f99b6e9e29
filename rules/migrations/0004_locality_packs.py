# Locality packs: one template per seed region (rules/packs.py); regional-only rules off in the national checklist.
import django.db.models.deletion
from django.db import migrations, models

from rules.definitions import RULES
from rules.packs import REGIONAL_ONLY, load_packs


def load(apps, schema_editor):
    Version = apps.get_model("rules", "ChecklistVersion")
    Item = apps.get_model("rules", "ChecklistItem")
    nationals = Version.objects.filter(organisation__isnull=True, template=False)
    # A regional rule applies only where a unit's own version holds it (rules/packs.py explains why).
    Item.objects.filter(version__in=nationals, code__in=REGIONAL_ONLY).update(enabled=False)
    Item.objects.filter(version__in=nationals, code="message_late").update(source=RULES["message_late"].citation)
    national = nationals.filter(active=True).order_by("-year").first()
    if national is not None:
        load_packs(Version, Item, national)


def unload(apps, schema_editor):
    Version = apps.get_model("rules", "ChecklistVersion")
    Item = apps.get_model("rules", "ChecklistItem")
    Version.objects.filter(template=True, adoptions__isnull=True).delete()
    nationals = Version.objects.filter(organisation__isnull=True, template=False)
    Item.objects.filter(version__in=nationals, code__in=REGIONAL_ONLY).update(enabled=True)


class Migration(migrations.Migration):
    # PostgreSQL creates the new foreign key's index after the operations; rows written in the same transaction
    # would still have trigger events pending then ("cannot CREATE INDEX … pending trigger events"). So the schema
    # changes run one by one and the data in its own transaction.
    atomic = False
    dependencies = [("rules", "0003_scanning_rules")]

    operations = [
        migrations.RemoveConstraint(model_name="checklistversion", name="checklist_one_active_national_per_year"),
        migrations.AddField(
            model_name="checklistversion",
            name="template",
            field=models.BooleanField(default=False, verbose_name="地方模板"),
        ),
        migrations.AddField(
            model_name="checklistversion",
            name="region",
            field=models.CharField(blank=True, max_length=100, verbose_name="地区"),
        ),
        migrations.AddField(
            model_name="checklistversion",
            name="adopted_from",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="adoptions", to="rules.checklistversion", verbose_name="采用的模板"),
        ),
        migrations.AddConstraint(
            model_name="checklistversion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("active", True), ("organisation__isnull", True), ("template", False)), fields=("year",),
                name="checklist_one_active_national_per_year",
            ),
        ),
        migrations.AddConstraint(
            model_name="checklistversion",
            constraint=models.CheckConstraint(
                condition=models.Q(("template", False), models.Q(("base__isnull", False), ("organisation__isnull", True)),
                                   _connector="OR"),
                name="checklist_template_is_unowned",
            ),
        ),
        migrations.RunPython(load, unload, atomic=True),
    ]
