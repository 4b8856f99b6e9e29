# Dates of findings (issue 10): when a reply to a 找错 report or a message was entered (to flag backdated replies).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("inspections", "0005_scanning")]

    operations = [
        migrations.AddField(
            model_name="errorreport",
            name="reply_entered_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="答复录入时间"),
        ),
        migrations.AddField(
            model_name="message",
            name="reply_entered_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="答复录入时间"),
        ),
    ]
