"""`python manage.py restore FILE`: a stable contract (SECURITY C6).

Restores a file written by `backup` into the database DATABASE_URL names,
which must be empty (newly created, not migrated), and into an empty
MEDIA_ROOT; then checks every table's row count and money totals against the
backup's manifest. Exits 0 on success; non-zero with a Chinese message on
failure, leaving the media directory unwritten.
"""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from aidsite.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "从备份文件恢复数据库和媒体文件：只恢复到新建的空数据库和空的媒体目录，恢复后逐表核对行数与金额合计"
    # The target database is empty: nothing may touch it before the restore does.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", help="由 backup 命令生成的备份文件")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            summary = backup_restore(source=Path(options["file"]))
        except BackupError as exc:
            raise CommandError(f"恢复失败：{exc}") from exc
        except DatabaseError as exc:
            raise CommandError(f"恢复失败：无法访问目标数据库（{exc}）") from exc
        try:
            made = timezone.localtime(dt.datetime.fromisoformat(summary.created_at)).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            made = "时间不详"
        self.stdout.write(
            f"已从 {summary.path}（备份于 {made}）恢复：{summary.tables} 张表共 {summary.rows} 行，"
            f"媒体文件 {summary.media_files} 个；逐表行数与金额合计与备份一致。用时 {summary.seconds:.1f} 秒"
        )
        for note in summary.notes:
            self.stdout.write(note)
