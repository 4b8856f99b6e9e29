"""Load the demo region: a county with its units, people in every role, and what each area adds."""
from django.core.management.base import BaseCommand
from django.db import transaction

from organisations.models import Organisation
from govmedia.core.plugins import area_modules


class Command(BaseCommand):
    help = "载入演示数据（一个县的单位、人员、网站、账号、稿件与检查结果）。已载入则跳过。"

    def handle(self, *args, **options):
        from organisations import demo as accounts_demo

        if Organisation.objects.filter(name="清源县人民政府", parent=None).exists():
            self.stdout.write("演示数据已存在，跳过。")
            self.print_logins(accounts_demo)
            return

        with transaction.atomic():
            region = accounts_demo.seed(self.stdout)
            # Each area adds `seed_area(region, stdout)` in `<area>/demo.py`; later areas use earlier ones' data
            # through `region` (a dict each area may extend).
            for module in area_modules("demo"):
                if hasattr(module, "seed_area"):
                    module.seed_area(region, self.stdout)
        self.stdout.write(self.style.SUCCESS("演示数据已载入。"))
        self.print_logins(accounts_demo)

    def print_logins(self, accounts_demo):
        self.stdout.write("演示账号（密码均为 %s）：" % accounts_demo.DEMO_PASSWORD)
        self.stdout.write("  admin（系统管理员）")
        for username, display, home, roles in accounts_demo.PEOPLE:
            self.stdout.write(f"  {username}（{display}，{home}，" + "、".join(r.label for _u, r in roles) + "）")
