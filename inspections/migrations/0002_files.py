# Scoped files (issue 12): rectification evidence stored under random names, checked by content in the service.
import govmedia.core.files
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="rectification",
            name="evidence_file",
            field=models.FileField(blank=True, upload_to=govmedia.core.files.RandomName("rectifications"), verbose_name="佐证材料"),
        ),
    ]
