"""`python manage.py load_applications_demo`: demo aid applications (after load_demo and open_year 2022-2023)."""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError

from subsidies.demo import applications_demo_load


class Command(BaseCommand):
    help = "载入演示资助申请（保教费减免、大学生资助、助学贷款；先执行 load_demo 和 open_year 2022-2023）；可重复执行"

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            result = applications_demo_load()
        except (ObjectDoesNotExist, ValidationError) as exc:
            raise CommandError(
                f"载入演示资助申请失败，请先执行 load_demo 和 open_year 2022-2023：{exc}"
            ) from exc
        if not result.created:
            self.stdout.write("演示资助申请已存在，未作改动。")
            return
        self.stdout.write("已载入演示资助申请：")
        for line in result.lines:
            self.stdout.write(f"  {line}")
