"""`python manage.py import_external poverty|civil|disability FILE [--dry-run]`: a stable contract.

Prints every row error (one per line) and exits non-zero, writing nothing,
when any row is bad. Otherwise prints each difference against the registry;
with `--dry-run` it stops there, without it the list becomes the latest
snapshot and the differences are applied (the reviewed path for county IT).
"""

from django.core.management.base import BaseCommand, CommandError

from aidsite.access import SystemActor
from aidsite.lib.idcard import mask_id_number
from students.importing import ImportFileError
from students.importing.external_service import external_list_import
from students.importing.words import EXTERNAL_KINDS


class Command(BaseCommand):
    help = (
        "导入其他部门名单（poverty 乡村振兴部门建档立卡名单、civil 民政低保特困名单、"
        "disability 残联残疾人名单）并与登记信息比对：先检查全部行，有任何错误则不写入任何数据；"
        "--dry-run 只列出差异，不加 --dry-run 则保存名单并应用全部差异（县级信息员核对差异后使用）"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "kind", choices=EXTERNAL_KINDS, help="名单：poverty、civil 或 disability"
        )
        parser.add_argument("file", help=".xlsx 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只检查并列出差异，不写入")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            report = external_list_import(
                source=options["kind"],
                file=options["file"],
                dry_run=options["dry_run"],
                actor=SystemActor("import_external 命令"),
                file_name=str(options["file"]),
            )
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{options['file']}") from exc
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.ok:
            self.stdout.write(report.summary())
            raise CommandError(f"有 {len(report.errors)} 处错误，未写入任何数据")
        for d in report.differences:
            applied = "" if report.dry_run or d.action else "（需人工核实，未应用）"
            self.stdout.write(
                f"{d.kind}\t{d.name}\t{mask_id_number(d.id_number)}\t登记：{d.registry}\t名单：{d.external}{applied}"
            )
        self.stdout.write(report.summary())
