"""Load the demo region: a county with its units, people in every role, and what each area adds."""
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo
from inspections import demo as inspections_demo
from organisations import demo as organisations_demo
from organisations.models import Organisation
from publishing import demo as publishing_demo
from reports import demo as reports_demo
from scanning import demo as scanning_demo
from review import demo as review_demo
from rules import demo as rules_demo
from sites import demo as sites_demo


class Command(BaseCommand):
    help = "载入演示数据（一个县的单位、人员、网站、账号、稿件与检查结果）。已载入则跳过。"

    def handle(self, *args, **options):
        if Organisation.objects.filter(name="清源县人民政府", parent=None).exists():
            self.stdout.write("演示数据已存在，跳过。")
            self.print_logins()
            return

        with transaction.atomic():
            region = organisations_demo.seed(self.stdout)
            rules_demo.seed_area(region, self.stdout)
            # Each area adds its part in room order; later areas use earlier ones' data through `region`
            # (a dict each area may extend).
            accounts_demo.seed_area(region, self.stdout)
            sites_demo.seed_area(region, self.stdout)
            publishing_demo.seed_area(region, self.stdout)
            review_demo.seed_area(region, self.stdout)
            inspections_demo.seed_area(region, self.stdout)
            scanning_demo.seed_area(region, self.stdout)
            reports_demo.seed_area(region, self.stdout)
        self.stdout.write(self.style.SUCCESS("演示数据已载入。"))
        self.print_logins()

    def print_logins(self):
        self.stdout.write("演示账号（密码均为 %s）：" % organisations_demo.DEMO_PASSWORD)
        self.stdout.write("  admin（系统管理员）")
        for username, display, home, roles in organisations_demo.PEOPLE:
            self.stdout.write(f"  {username}（{display}，{home}，" + "、".join(r.label for _u, r in roles) + "）")
