"""`python manage.py load_campaigns_demo`: the demo campaign, cards, visits and mentoring (after load_demo)."""

from django.core.management.base import BaseCommand

from aidsite.access import SystemActor
from campaigns.demo import campaigns_demo_load


class Command(BaseCommand):
    help = "载入演示宣传活动、明白卡、走访记录和一对一帮扶（先执行 load_demo）；可重复执行"

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        result = campaigns_demo_load(actor=SystemActor("load_campaigns_demo 命令"))
        if result["created"]:
            self.stdout.write(
                f"已载入演示数据：{result['campaign']}，明白卡 {result['cards']} 户，走访 {result['visits']} 次。"
            )
        else:
            self.stdout.write("演示宣传活动已存在，未作改动。")
