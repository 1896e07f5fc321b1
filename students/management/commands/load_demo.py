"""`python manage.py load_demo`: the demo township and one demo account per role (safe to repeat)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from aidsite.access import SystemActor
from students.demo import demo_accounts_ensure, demo_load
from students.demo_roster import DEMO_YEAR
from students.school_years import current_school_year_name, school_year_open


class Command(BaseCommand):
    help = "载入演示数据（青山镇、白云镇）并创建各角色的演示账号；可重复执行"

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            for name in dict.fromkeys([DEMO_YEAR, current_school_year_name()]):
                school_year_open(name=name)
            reports = demo_load(actor=SystemActor("load_demo 命令"))
            accounts = demo_accounts_ensure()
        for report in reports.values():
            self.stdout.write(report.summary())
        self.stdout.write("")
        self.stdout.write("演示账号（仅供演示，请勿用于正式数据）：")
        for account in accounts:
            self.stdout.write(
                f"  {account.role_label}：用户名 {account.username}  密码 {account.password}  （{account.scope}）"
            )

