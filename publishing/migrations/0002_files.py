# Reserved for: scoped files (issue 12). Fill in operations; keep the name and dependency.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_initial")]

    operations = []
