# Site scanning (issue 13): scans, scanned pages, per-site limits, dismissed false positives.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('inspections', '0005_scanning'),
        ('organisations', '0001_initial'),
        ('sites', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Scan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('queued', '排队中'), ('running', '扫描中'), ('finished', '已完成'), ('failed', '失败')], default='queued', max_length=20, verbose_name='状态')),
                ('full', models.BooleanField(default=False, verbose_name='全量扫描')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='开始时间')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
                ('pages', models.PositiveIntegerField(default=0, verbose_name='已读取页面与附件')),
                ('checked', models.PositiveIntegerField(default=0, verbose_name='已检查（内容有变化）')),
                ('discovered', models.PositiveIntegerField(default=0, verbose_name='已发现地址')),
                ('bytes_read', models.BigIntegerField(default=0, verbose_name='已读取字节')),
                ('counts', models.JSONField(blank=True, default=dict, verbose_name='问题数（按规则）')),
                ('opened', models.PositiveIntegerField(default=0, verbose_name='新发现问题')),
                ('closed', models.PositiveIntegerField(default=0, verbose_name='已整改（不再出现）')),
                ('skipped_by_robots', models.PositiveIntegerField(default=0, verbose_name='robots.txt 跳过')),
                ('hit_limit', models.CharField(blank=True, max_length=100, verbose_name='触及的限制')),
                ('current_url', models.CharField(blank=True, max_length=1000, verbose_name='正在读取')),
                ('error', models.TextField(blank=True, verbose_name='错误')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='scans', to='accounts.account', verbose_name='账号')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发起人')),
                ('site', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='scans', to='sites.site', verbose_name='网站')),
            ],
            options={
                'verbose_name': '网站扫描',
                'verbose_name_plural': '网站扫描记录',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ScanLimits',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('enabled', models.BooleanField(default=True, verbose_name='参加定时扫描')),
                ('max_depth', models.PositiveSmallIntegerField(default=5, verbose_name='最大深度')),
                ('max_pages', models.PositiveIntegerField(default=1000, verbose_name='最多页面数（含附件）')),
                ('max_page_bytes', models.PositiveIntegerField(default=10485760, verbose_name='单个页面或附件最大字节')),
                ('max_total_bytes', models.BigIntegerField(default=524288000, verbose_name='每次扫描最多读取字节')),
                ('delay', models.FloatField(default=0.5, verbose_name='同一主机两次请求间隔（秒）')),
                ('timeout', models.FloatField(default=15, verbose_name='单次请求超时（秒）')),
                ('check_outbound', models.BooleanField(default=True, verbose_name='检查外链')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('site', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='scan_limits', to='sites.site', verbose_name='网站')),
            ],
            options={
                'verbose_name': '网站扫描限制',
                'verbose_name_plural': '网站扫描限制',
            },
        ),
        migrations.CreateModel(
            name='ScannedPage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.CharField(max_length=2000, verbose_name='地址')),
                ('url_hash', models.CharField(editable=False, max_length=64)),
                ('kind', models.CharField(choices=[('html', '网页'), ('pdf', 'PDF 附件'), ('docx', 'Word 附件'), ('xlsx', 'Excel 附件'), ('text', '文本'), ('other', '其他')], default='html', max_length=10, verbose_name='类型')),
                ('status_code', models.IntegerField(blank=True, null=True, verbose_name='HTTP 状态码')),
                ('content_hash', models.CharField(blank=True, max_length=64, verbose_name='内容哈希（SHA-256）')),
                ('etag', models.CharField(blank=True, max_length=300, verbose_name='ETag')),
                ('last_modified', models.CharField(blank=True, max_length=100, verbose_name='Last-Modified')),
                ('title', models.CharField(blank=True, max_length=300, verbose_name='标题')),
                ('text', models.TextField(blank=True, verbose_name='读取到的文字')),
                ('links', models.JSONField(blank=True, default=list, verbose_name='页面链接')),
                ('hit_keys', models.JSONField(blank=True, default=list, verbose_name='当前问题键')),
                ('error', models.CharField(blank=True, max_length=500, verbose_name='读取错误')),
                ('fetched_at', models.DateTimeField(blank=True, null=True, verbose_name='读取时间')),
                ('changed_at', models.DateTimeField(blank=True, null=True, verbose_name='内容变化时间')),
                ('account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='scanned_pages', to='accounts.account', verbose_name='账号')),
                ('first_scan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='scanning.scan', verbose_name='首次发现于')),
                ('last_checked_scan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='scanning.scan', verbose_name='最近检查于')),
                ('last_seen_scan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='scanning.scan', verbose_name='最近读取于')),
                ('site', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='scanned_pages', to='sites.site', verbose_name='网站')),
            ],
            options={
                'verbose_name': '已扫描页面',
                'verbose_name_plural': '已扫描页面',
                'ordering': ['url'],
            },
        ),
        migrations.CreateModel(
            name='Dismissal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rule', models.CharField(max_length=60, verbose_name='规则')),
                ('subject_type', models.CharField(max_length=20, verbose_name='对象类型')),
                ('subject_id', models.BigIntegerField(verbose_name='对象编号')),
                ('key', models.CharField(max_length=40, verbose_name='问题键')),
                ('url', models.CharField(max_length=2000, verbose_name='页面地址')),
                ('match', models.CharField(max_length=500, verbose_name='命中文字')),
                ('excerpt', models.CharField(blank=True, max_length=500, verbose_name='摘录')),
                ('reason', models.TextField(verbose_name='理由')),
                ('dismissed_at', models.DateTimeField(auto_now_add=True, verbose_name='忽略时间')),
                ('dismissed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='忽略人')),
                ('finding', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='dismissal', to='inspections.finding', verbose_name='问题')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation', verbose_name='责任单位')),
            ],
            options={
                'verbose_name': '误报忽略',
                'verbose_name_plural': '误报忽略',
                'ordering': ['-dismissed_at', '-id'],
                'constraints': [models.UniqueConstraint(fields=('rule', 'subject_type', 'subject_id', 'key'), name='dismissal_unique_hit')],
            },
        ),
        migrations.AddIndex(
            model_name='scan',
            index=models.Index(fields=['site', '-created_at'], name='scan_site_recent_idx'),
        ),
        migrations.AddIndex(
            model_name='scan',
            index=models.Index(fields=['status'], name='scan_status_idx'),
        ),
        migrations.AddConstraint(
            model_name='scan',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('site__isnull', False), ('account__isnull', True)), models.Q(('site__isnull', True), ('account__isnull', False)), _connector='OR'), name='scan_site_xor_account'),
        ),
        migrations.AddConstraint(
            model_name='scan',
            constraint=models.UniqueConstraint(condition=models.Q(('site__isnull', False), ('status__in', ['queued', 'running'])), fields=('site',), name='scan_one_active_per_site'),
        ),
        migrations.AddConstraint(
            model_name='scan',
            constraint=models.UniqueConstraint(condition=models.Q(('account__isnull', False), ('status__in', ['queued', 'running'])), fields=('account',), name='scan_one_active_per_account'),
        ),
        migrations.AddConstraint(
            model_name='scanlimits',
            constraint=models.CheckConstraint(condition=models.Q(('delay__gte', 0), ('timeout__gt', 0)), name='scan_limits_positive'),
        ),
        migrations.AddConstraint(
            model_name='scannedpage',
            constraint=models.UniqueConstraint(condition=models.Q(('site__isnull', False)), fields=('site', 'url_hash'), name='scanned_page_unique_site_url'),
        ),
        migrations.AddConstraint(
            model_name='scannedpage',
            constraint=models.UniqueConstraint(condition=models.Q(('account__isnull', False)), fields=('account', 'url_hash'), name='scanned_page_unique_account_url'),
        ),
    ]
