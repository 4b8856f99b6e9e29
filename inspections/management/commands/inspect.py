import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from organisations.models import Organisation
from inspections import services


class Command(BaseCommand):
    help = "按基准日立即执行全部检查规则（同步执行）；同一基准日重复执行不会重复登记问题。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="检查基准日 YYYY-MM-DD（默认今天）")
        parser.add_argument("--organisation", type=int, help="只检查该单位及其下级（单位编号）")

    def handle(self, *args, as_of=None, organisation=None, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else services.local_today()
        except ValueError as exc:
            raise CommandError(f"--as-of 格式应为 YYYY-MM-DD：{as_of}") from exc
        org = None
        if organisation is not None:
            org = Organisation.objects.filter(pk=organisation).first()
            if org is None:
                raise CommandError(f"单位 {organisation} 不存在。")
        try:
            run = services.inspect(as_of=day, organisation=org)
        except ValidationError as exc:
            raise CommandError("；".join(m for ms in exc.message_dict.values() for m in ms)) from exc
        if run.status != "finished":
            raise CommandError(f"检查失败：{run.error}")
        counts = run.counts
        self.stdout.write(
            f"检查 {run.pk}（基准日 {run.as_of}，指标版本 {run.checklist_version}）："
            f"新发现 {counts['new']}，确认整改 {counts['rectified']}，待整改 {counts['open']}，逾期 {counts['overdue']}。"
        )
        for rule, n in counts["new_by_rule"].items():
            if n:
                self.stdout.write(f"  {rule}: {n}")
