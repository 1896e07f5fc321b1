"""`python manage.py import_xlsx villages|schools|students FILE [--dry-run]`: a stable contract.

Prints every row error (one per line) and the counts; exits non-zero and
writes nothing when any row is bad.
"""

from django.core.management.base import BaseCommand, CommandError

from aidsite.access import SystemActor
from students.importing import KINDS, ImportFileError, roster_import


class Command(BaseCommand):
    help = "导入 Excel 名册（村（社区）、学校或学生）：先检查全部行，有任何错误则不写入任何数据"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("kind", choices=KINDS, help="名册类别：villages、schools 或 students")
        parser.add_argument("file", help=".xlsx 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只检查、统计，不写入")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            report = roster_import(
                kind=options["kind"],
                source=options["file"],
                dry_run=options["dry_run"],
                actor=SystemActor("import_xlsx 命令"),
            )
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{options['file']}") from exc
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stderr.write(str(error))
        self.stdout.write(report.summary())
        if not report.ok:
            raise CommandError(f"有 {report.rejected} 行错误，未写入任何数据")
