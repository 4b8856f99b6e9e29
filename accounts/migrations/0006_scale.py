# Issue 14: indexes matching the big lists' default orderings and common filters.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_chinese_labels")]
    operations = [
        migrations.AddIndex(model_name="account", index=models.Index(fields=["owner", "platform", "name"], name="account_owner_order_idx")),
        migrations.AddIndex(model_name="filing", index=models.Index(fields=["-created_at", "-id"], name="filing_recent_idx")),
    ]
