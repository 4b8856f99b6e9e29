# Reserved for: locality packs (issue 10). Fill in operations; keep the name and dependency.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("rules", "0003_scanning_rules")]

    operations = []
