"""export_ledger --year 2022-2023 --term autumn|spring --output FILE.xlsx [--township NAME] [--school NAME] [--policy CODE]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aidsite.access import SystemActor
from subsidies.exports.ledger import ledger_export
from subsidies.management.commands import _arguments
from subsidies.models import Policy
from subsidies.selectors import LedgerFilter


class Command(BaseCommand):
    help = "导出一个学期已审核批次的发放台账（可按乡镇、学校、资助项目）为 Excel 文件；导出记入访问日志"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        _arguments.add_term_arguments(parser, school="学校（幼儿园）名称；不填为全部学校")
        parser.add_argument("--output", required=True, help="输出文件，如 台账.xlsx")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        term, township, code = _arguments.resolve_term_arguments(options)
        school = _arguments.resolve_school(options, township, missing="没有名为“{given}”的学校", outside="{name}不属于{township}")
        policy = Policy.objects.get(school_year=term.school_year, code=code) if code else None
        output = Path(options["output"])
        if output.suffix.lower() != ".xlsx":
            raise CommandError("输出文件须以 .xlsx 结尾")
        if not output.parent.exists():
            raise CommandError(f"目录不存在：{output.parent}")
        selection = LedgerFilter(term=term, township=township, school=school, policy=policy)
        result = ledger_export(actor=SystemActor("export_ledger 命令"), selection=selection, target=str(output))
        total = sum(result.totals.values())
        self.stdout.write(f"已导出 {result.rows} 笔，金额合计 {total:,.2f} 元：{output}")
