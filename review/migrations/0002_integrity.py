# Reserved for: review integrity (issue 11). Fill in operations; keep the name and dependency.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial")]

    operations = []
