# Reserved for: broker-outage sweeper (issue 12). Fill in operations; keep the name and dependency.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_files")]

    operations = []
