"""auditlog's own migrations create its stock table even though AuditEntry replaces it (swapped).

The unused table holds a foreign key to users that blocks PostgreSQL's TRUNCATE (flush); nothing reads it.
"""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS auditlog_logentry", reverse_sql=migrations.RunSQL.noop),
    ]
