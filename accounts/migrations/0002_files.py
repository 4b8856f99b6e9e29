# Scoped files (issue 12): QR code images stored under random names.
import govmedia.core.files
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="account",
            name="qr_code",
            field=models.ImageField(blank=True, upload_to=govmedia.core.files.RandomName("accounts/qr"), verbose_name="新媒体二维码"),
        ),
        migrations.AlterField(
            model_name="filing",
            name="qr_code",
            field=models.ImageField(blank=True, upload_to=govmedia.core.files.RandomName("accounts/qr"), verbose_name="新媒体二维码"),
        ),
    ]
