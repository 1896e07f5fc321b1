"""open_year 2022-2023: the school year, its two terms, and its aid policies."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from aidsite.access import SystemActor
from students.school_years import SchoolYearError
from subsidies.services.policies import year_open


class Command(BaseCommand):
    help = "开设学年及其秋季、春季两个学期，并给该学年配置资助政策（复制上一学年，首个学年用种子标准），例如：open_year 2022-2023"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("year", help="学年，如 2022-2023")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            opened = year_open(name=options["year"], actor=SystemActor("open_year 命令"))
        except SchoolYearError as exc:
            raise CommandError(str(exc)) from exc
        verb = "已开设" if opened.created else "已存在"
        self.stdout.write(f"{opened.school_year.name}学年{verb}（秋季学期、春季学期）")
        if opened.policies:
            self.stdout.write(f"资助政策 {len(opened.policies)} 项（{opened.source_label}）")
        else:
            self.stdout.write("资助政策已配置，未改动")
