# Issue 14: indexes matching the big lists' default orderings and common filters.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("publishing", "0003_chinese_labels")]
    operations = [
        migrations.AddIndex(model_name="post", index=models.Index(fields=["-created_at", "-id"], name="post_recent_idx")),
        migrations.AddIndex(model_name="post", index=models.Index(fields=["organisation", "-created_at", "-id"], name="post_org_recent_idx")),
    ]
