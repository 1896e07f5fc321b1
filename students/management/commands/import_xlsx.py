"""`python manage.py import_xlsx villages|schools|students|… FILE [--dry-run]`: a stable contract.

Prints every row error (one per line) and the counts; exits non-zero and
writes nothing when any row is bad. Besides the roster kinds, the kinds other
apps register (`students.importing.kinds`, e.g. `applications` from subsidies)
are offered under their own word and run the same way.
"""

from django.core.management.base import BaseCommand, CommandError

from aidsite.access import SystemActor
from students.importing import KINDS, ImportFileError, roster_import
from students.importing.kinds import registered_import_kinds


class Command(BaseCommand):
    help = "导入 Excel 名册（村（社区）、学校或学生）及其他登记的表格（如资助申请）：先检查全部行，有任何错误则不写入任何数据"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        extra = registered_import_kinds()
        words = "、".join([*KINDS, *(f"{name}（{kind.label}）" for name, kind in extra.items())])
        parser.add_argument("kind", choices=(*KINDS, *extra), help=f"表格类别：{words}")
        parser.add_argument("file", help=".xlsx 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只检查、统计，不写入")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        kind = options["kind"]
        actor = SystemActor("import_xlsx 命令")
        try:
            if kind in KINDS:
                report = roster_import(
                    kind=kind, source=options["file"], dry_run=options["dry_run"], actor=actor
                )
            else:
                report = registered_import_kinds()[kind].run(
                    source=options["file"], dry_run=options["dry_run"], actor=actor
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
