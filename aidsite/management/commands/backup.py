"""`python manage.py backup FILE`: a stable contract (SECURITY C6).

Writes the database and the media files into one new file (0600). FILE may be
an existing directory: the backup is then a new dated file inside it, which
suits a daily timer. Exits 0 on success; non-zero with a Chinese message, and
no file written, on failure.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from aidsite.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库和媒体文件（照片、方案文件、未过期的导出文件）到一个文件；可在站点运行时进行"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", help="备份文件路径（不会覆盖已有文件）；若是目录，则在其中新建带日期的备份文件")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            summary = backup_create(target=options["file"])
        except BackupError as exc:
            raise CommandError(f"备份失败：{exc}") from exc
        except DatabaseError as exc:
            raise CommandError(f"备份失败：无法读取数据库（{exc}）") from exc
        self.stdout.write(
            f"已备份到 {summary.path}：{summary.tables} 张表共 {summary.rows} 行，"
            f"媒体文件 {summary.media_files} 个（{summary.media_bytes / 2**20:.1f} MB），"
            f"备份文件 {summary.file_bytes / 2**20:.1f} MB，用时 {summary.seconds:.1f} 秒"
        )
