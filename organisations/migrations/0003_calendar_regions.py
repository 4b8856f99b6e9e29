# Reserved for: calendar regions (issue 10). Fill in operations; keep the name and dependency.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("organisations", "0002_people")]

    operations = []
