# Reserved for: site scan settings (issue 13). Fill in operations; keep the name and dependency.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sites", "0001_initial")]

    operations = []
