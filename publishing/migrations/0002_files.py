# Scoped files (issue 12): post attachments stored under random names, checked by content in the service.
import govmedia.core.files
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="postattachment",
            name="file",
            field=models.FileField(max_length=300, upload_to=govmedia.core.files.RandomName("posts"), verbose_name="附件"),
        ),
    ]
