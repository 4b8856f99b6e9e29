# Reserved for: scan findings (issue 13). Fill in operations; keep the name and dependency.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("inspections", "0004_findings_source")]

    operations = []
