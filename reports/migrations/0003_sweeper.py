# Export sweeper (issue 12): a background export is a row, the queue's source of truth, re-sent or reclaimed by the sweeper.
import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_revisions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Export",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("kind", models.CharField(max_length=20, verbose_name="报告类型")),
                ("period", models.CharField(max_length=7, verbose_name="期间")),
                ("fmt", models.CharField(max_length=10, verbose_name="格式")),
                ("filename", models.CharField(max_length=200, verbose_name="文件名")),
                ("status", models.CharField(choices=[("queued", "排队中"), ("running", "生成中"), ("finished", "已完成"), ("failed", "失败")], default="queued", max_length=20, verbose_name="状态")),
                ("progress", models.JSONField(blank=True, default=dict, verbose_name="进度")),
                ("error", models.TextField(blank=True, verbose_name="错误")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="执行次数")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="申请时间")),
                ("queued_at", models.DateTimeField(blank=True, null=True, verbose_name="最近排队时间")),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="开始时间")),
                ("heartbeat_at", models.DateTimeField(blank=True, null=True, verbose_name="最近进度时间")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="完成时间")),
                ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="organisations.organisation", verbose_name="单位（区域）")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="申请人")),
            ],
            options={
                "verbose_name": "报告导出",
                "verbose_name_plural": "报告导出",
                "ordering": ["-created_at"],
                "indexes": [models.Index(fields=["status", "queued_at"], name="export_status_queued_idx")],
            },
        ),
    ]
