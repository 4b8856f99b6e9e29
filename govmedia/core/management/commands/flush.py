"""Django's `flush`, which the test suite runs between transactional tests. The audit log's triggers refuse to be
emptied; only where settings.AUDIT_ALLOW_FLUSH is true (the test settings) does flush lift them, for its own
transaction. Elsewhere `flush` fails on the audit table, as it should."""
from django.conf import settings
from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections, transaction

from govmedia.core import auditchain


class Command(FlushCommand):
    def handle(self, **options):
        if not getattr(settings, "AUDIT_ALLOW_FLUSH", False):
            return super().handle(**options)
        connection = connections[options["database"]]
        with transaction.atomic(using=connection.alias), auditchain.guard_lifted(connection, "flush"):
            return super().handle(**options)
