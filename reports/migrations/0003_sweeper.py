# Reserved for: export sweeper (issue 12). Fill in operations; keep the name and dependency.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_revisions")]

    operations = []
