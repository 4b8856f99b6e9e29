"""`manage.py archive_audit`: write the audit entries past AUDIT_RETENTION_DAYS to AUDIT_ARCHIVE_DIR and remove
them (beat runs the same monthly). Nothing is removed without its file."""
from django.core.management.base import BaseCommand

from govmedia.core import auditarchive


class Command(BaseCommand):
    help = "将超过保存期限的审计日志归档为文件（含链头），随后从数据库移除。"

    def handle(self, *args, **options):
        record = auditarchive.archive()
        if record is None:
            self.stdout.write(f"没有超过 {auditarchive.retention_days()} 天的审计日志，无需归档。")
            return
        self.stdout.write(f"已归档 {record.count} 条（#{record.first_id}–#{record.last_id}）至 {record.file_name}，"
                          f"链头 {record.head_hash}")
