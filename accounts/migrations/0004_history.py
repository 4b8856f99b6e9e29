# History for past as_of (issue 10): account status changes and password change dates as they were recorded.
import django.db.models.deletion
from django.db import migrations, models

STATUSES = [("draft", "开设草稿"), ("applying", "申请开设"), ("running", "运行中"), ("closing", "关停公示中"),
            ("deregistered", "已注销")]


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_packs")]

    operations = [
        migrations.CreateModel(
            name="AccountStatusChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(choices=STATUSES, max_length=20, verbose_name="状态")),
                ("effective_on", models.DateField(verbose_name="生效日期")),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="记录时间")),
                ("account", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="status_history",
                                              to="accounts.account", verbose_name="账号")),
            ],
            options={
                "verbose_name": "账号状态变更",
                "verbose_name_plural": "账号状态变更",
                "ordering": ["account", "effective_on", "id"],
                "indexes": [models.Index(fields=["account", "effective_on"], name="account_status_hist_idx")],
            },
        ),
        migrations.CreateModel(
            name="CredentialChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("changed_on", models.DateField(verbose_name="修改日期")),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="记录时间")),
                ("account", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="credential_history",
                                              to="accounts.account", verbose_name="账号")),
            ],
            options={
                "verbose_name": "密码修改记录",
                "verbose_name_plural": "密码修改记录",
                "ordering": ["account", "changed_on", "id"],
                "indexes": [models.Index(fields=["account", "changed_on"], name="account_credential_hist_idx")],
            },
        ),
    ]
