# People and sessions (issue 12): 三员分立 duty on each person, password age and the forced change after a reset.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="admin_role",
            field=models.CharField(
                blank=True,
                choices=[("system", "系统管理员"), ("security", "安全管理员"), ("audit", "审计管理员")],
                default="",
                max_length=10,
                verbose_name="管理员职责",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="password_changed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="密码修改时间"),
        ),
        migrations.AddField(
            model_name="user",
            name="must_change_password",
            field=models.BooleanField(default=False, verbose_name="须修改密码"),
        ),
    ]
