# Reserved for: workflows read local items (issue 10). Fill in operations; keep the name and dependency.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_files")]

    operations = []
