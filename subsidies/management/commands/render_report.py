"""render_report notice|signsheet|summary|cards --year 2022-2023 --term autumn|spring --output FILE.pdf
[--township NAME] [--school NAME] [--policy CODE]

signsheet prints every batch of the selection, one after another, each split per
school (and per 1,000 rows): each part is a sheet of its own with its own total,
signatures and page numbers. notice prints one notice per school and policy.
The reports are those registered with the export centre.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from aidsite.access import SystemActor, log_access
from aidsite.models import AccessAction
from subsidies.management.commands import _arguments
from subsidies.reports import Selection, printed_reports


class Command(BaseCommand):
    help = "打印报表（PDF）：公示名单 notice、发放签领表 signsheet、资助统计表 summary、明白卡 cards"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        names = list(printed_reports())
        parser.add_argument("report", choices=names, help="报表：" + "、".join(names))
        _arguments.add_term_arguments(parser, school="学校（幼儿园）名称；不填为所选范围内全部学校")
        parser.add_argument("--output", required=True, help="输出的 PDF 文件")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        term, township, code = _arguments.resolve_term_arguments(options)
        school = _arguments.resolve_school(
            options, township, missing="没有名为“{name}”的学校（幼儿园）", outside="“{name}”不属于{township}"
        )
        report = printed_reports()[options["report"]]
        output = Path(options["output"])
        if output.parent and not output.parent.exists():
            raise CommandError(f"输出目录不存在：{output.parent}")
        selection = Selection(term=term, township=township, school=school, policy_code=code)
        actor = SystemActor("render_report 命令")
        try:
            with output.open("wb") as out:
                result = report.render(selection=selection, out=out, actor=actor)
        except (ValueError, PermissionDenied) as exc:
            output.unlink(missing_ok=True)
            raise CommandError(str(exc)) from exc
        place = school.name if school else (township.name if township else "全县")
        what = f"{report.document} {place} {term}" + (f" {code}" if code else "")
        log_access(
            user=actor,
            action=AccessAction.PRINT,
            what=what,
            row_count=result.rows,
            detail={"report": report.name, "output": str(output), "pages": result.pages, "documents": result.documents},
        )
        self.stdout.write(f"{what}：{result.documents} 份，{result.rows} 行，共 {result.pages} 页，已写入 {output}")
