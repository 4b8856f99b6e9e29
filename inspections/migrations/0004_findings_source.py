# Reserved for: findings source/version (issue 10). Fill in operations; keep the name and dependency.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("inspections", "0003_sweeper")]

    operations = []
