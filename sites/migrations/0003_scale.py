# Issue 14: indexes matching the big lists' default orderings and common filters.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sites", "0002_chinese_labels")]
    operations = [
        migrations.AddIndex(model_name="site", index=models.Index(fields=["name", "id"], name="site_name_order_idx")),
        migrations.AddIndex(model_name="column", index=models.Index(fields=["site", "id"], name="column_site_order_idx")),
    ]
