"""`manage.py verify_audit [--archive FILE ...]`: walk the audit log's hash chain (and archive files) and report
the first broken entry; the exit code is non-zero when anything is wrong."""
from django.core.management.base import BaseCommand, CommandError

from govmedia.core import auditarchive


class Command(BaseCommand):
    help = "校验审计日志的哈希链（及归档文件），报告第一条被改动或缺失的条目。"

    def add_arguments(self, parser):
        parser.add_argument("--archive", nargs="*", default=[], help="同时校验这些归档文件（.jsonl）")
        parser.add_argument("--database", default="default")

    def handle(self, *args, archive, database, **options):
        for path in archive:
            verdict = auditarchive.verify_file(path)
            if not verdict.ok:
                raise CommandError(f"归档文件 {path} 校验失败：{verdict.problem}")
            self.stdout.write(f"归档文件 {path}：{verdict.checked} 条完好，链头 {verdict.head}")
        verdict = auditarchive.verify_chain(database)
        if not verdict.ok:
            raise CommandError(f"审计日志校验失败（此前 {verdict.checked} 条完好）：{verdict.problem}")
        self.stdout.write(f"审计日志完好：{verdict.checked} 条，链头 {verdict.head}")
