"""omission_report --year 2022-2023 --term autumn --output FILE.xlsx [--township NAME]"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aidsite.access import SystemActor
from students.models import Season
from subsidies.exports.omissions import SHEET_NAMES, omission_report_export
from subsidies.management.commands._arguments import resolve_term_arguments


class Command(BaseCommand):
    help = (
        "导出控辍保学与应助尽助核查表（疑似失学辍学、适龄未入园、应助未助、名单比对差异，"
        "含完整身份证号）为 Excel 文件；导出记入访问日志"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--year", required=True, help="学年，如 2022-2023")
        # No argparse `choices`: an unknown term gets the Chinese error below, not argparse's English one.
        parser.add_argument("--term", required=True, help="学期：autumn 秋季，spring 春季")
        parser.add_argument("--township", help="乡镇（街道）名称；不填为全县")
        parser.add_argument("--output", required=True, help="输出文件，如 核查表.xlsx")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if options["term"] not in Season.values:
            raise CommandError(
                f"学期“{options['term']}”不正确，应为 autumn（秋季）或 spring（春季）"
            )
        term, township, _code = resolve_term_arguments({**options, "policy": None})
        output = Path(options["output"])
        if output.suffix.lower() != ".xlsx":
            raise CommandError("输出文件须以 .xlsx 结尾")
        if not output.parent.exists():
            raise CommandError(f"目录不存在：{output.parent}")
        # Written beside the target and renamed: a failure halfway leaves no half-written workbook.
        fd, partial = tempfile.mkstemp(dir=output.parent, prefix=".omission-", suffix=".xlsx")
        os.close(fd)
        try:
            results = omission_report_export(
                partial,
                actor=SystemActor("omission_report 命令"),
                term=term,
                township=township,
                via="command",
            )
            os.replace(partial, output)
        finally:
            Path(partial).unlink(missing_ok=True)
        counts = "，".join(
            f"{name} {r.rows} 条" for name, r in zip(SHEET_NAMES, results, strict=True)
        )
        self.stdout.write(f"已导出：{counts}：{output}")
