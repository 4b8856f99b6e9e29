# Provincial notice counts keep history (issue 10): a past as_of reads the count then (accounts.history).
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_scale'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProvinceNoticeChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('count', models.PositiveSmallIntegerField(verbose_name='被省级通报次数')),
                ('previous', models.PositiveSmallIntegerField(default=0, verbose_name='此前次数')),
                ('effective_on', models.DateField(verbose_name='生效日期')),
                ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='记录时间')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notice_history', to='accounts.account', verbose_name='账号')),
            ],
            options={
                'verbose_name': '省级通报次数变更',
                'verbose_name_plural': '省级通报次数变更',
                'ordering': ['account', 'effective_on', 'id'],
                'indexes': [models.Index(fields=['account', 'effective_on'], name='account_notice_hist_idx')],
            },
        ),
    ]
