"""`manage.py demo_otp [username]`: the current code of the demo's TOTP devices (README, demo sign-in). Only the
devices `seed_demo` created answer, so that this never reads a real person's second factor."""
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisations.demo import DEMO_TOTP_NAME


class Command(BaseCommand):
    help = "显示演示账号当前的动态口令（仅限演示数据）。"

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="")

    def handle(self, *args, username="", **options):
        devices = TOTPDevice.objects.filter(name=DEMO_TOTP_NAME, confirmed=True).select_related("user")
        if username:
            devices = devices.filter(user__username=username)
        if not devices:
            raise CommandError("没有演示动态口令：请先载入演示数据（manage.py seed_demo）。")
        device = devices[0]
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
