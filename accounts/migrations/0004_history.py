# Reserved for: history for past as_of (issue 10). Fill in operations; keep the name and dependency.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_packs")]

    operations = []
