# Reserved for: append-only chained audit (issue 12). Fill in operations; keep the name and dependency.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0002_drop_unused_auditlog_table")]

    operations = []
