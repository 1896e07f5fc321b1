"""export_aid --year 2022-2023 --term autumn --output FILE.xlsx [--township NAME] [--policy CODE]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aidsite.access import SystemActor
from subsidies.exports.aid import entitlements_export
from subsidies.management.commands._arguments import add_term_arguments, resolve_term_arguments


class Command(BaseCommand):
    help = "导出一个学期的资助名单（全部状态，含完整身份证号）为 Excel 文件；导出记入访问日志"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        add_term_arguments(parser)
        parser.add_argument("--output", required=True, help="输出文件，如 名单.xlsx")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        term, township, code = resolve_term_arguments(options)
        output = Path(options["output"])
        if output.suffix.lower() != ".xlsx":
            raise CommandError("输出文件须以 .xlsx 结尾")
        if not output.parent.exists():
            raise CommandError(f"目录不存在：{output.parent}")
        result = entitlements_export(
            str(output), term=term, township=township, policy_code=code, user=SystemActor("export_aid 命令"), via="command"
        )
        total = sum(result.totals.values())
        self.stdout.write(f"已导出 {result.rows} 条，金额合计 {total:,.2f} 元：{output}")
