# Reserved for: scanning rules (issue 13). Fill in operations; keep the name and dependency.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("rules", "0002_national_checklist_2019")]

    operations = []
