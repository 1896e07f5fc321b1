"""`python manage.py purge_exports`: delete export files past their retention (cron it daily)."""

from django.core.management.base import BaseCommand

from aidsite.export_jobs import export_jobs_purge


class Command(BaseCommand):
    help = "删除已过保留期的导出文件（默认保留 EXPORT_RETENTION_DAYS 天）。"

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        count = export_jobs_purge()
        self.stdout.write(f"已删除 {count} 个过期导出任务的文件。")
