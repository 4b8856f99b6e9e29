# A close filing records the date of its public notice, which the closure notice period counts from (issue 10).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_files")]

    operations = [
        migrations.AddField(
            model_name="filing",
            name="notice_on",
            field=models.DateField(blank=True, null=True, verbose_name="关停公告日期"),
        ),
    ]
