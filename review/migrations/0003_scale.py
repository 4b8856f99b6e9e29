# Issue 14: indexes matching the big lists' default orderings and common filters.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("review", "0002_chinese_labels")]
    operations = [
        migrations.AddIndex(model_name="reviewtask", index=models.Index(fields=["opened_at", "id"], name="review_task_order_idx")),
        migrations.AddIndex(model_name="reviewtask", index=models.Index(fields=["decided_at"], name="review_task_decided_idx")),
    ]
